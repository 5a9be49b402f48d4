"""Validate a compose file against a Compose JSON schema, without a Docker engine.

Usage:
    python3 scripts/validate_compose.py SCHEMA_JSON [COMPOSE_YAML]

SCHEMA_JSON is a compose-spec schema, e.g. the one Debian's docker-compose package ships:
    /usr/lib/python3/dist-packages/compose/config/compose_spec.json
COMPOSE_YAML defaults to docker-compose.yml next to this script's parent directory.

Needs PyYAML and jsonschema (Debian's docker-compose depends on both, so /usr/bin/python3 has them).
YAML anchors and merge keys (<<: *django) are resolved by PyYAML before validation. Variables
(${VAR}) and env_file contents are not interpolated: this checks structure, not values.
"""

import json
import sys
from pathlib import Path

import jsonschema
import yaml


def pick_validator(schema: dict) -> type:
    """The validator for the schema's draft; "http://json-schema.org/draft/2019-09/schema#" (as Debian's
    compose_spec.json writes it) is not recognised verbatim by jsonschema, so normalise it first."""
    declared = str(schema.get("$schema", "")).rstrip("#").replace("http://", "https://")
    for draft in ("2020-12", "2019-09"):
        if draft in declared:
            return getattr(jsonschema, f"Draft{draft.replace('-', '')}Validator")
    for number in ("7", "6", "4"):
        if f"draft-0{number}" in declared:
            return getattr(jsonschema, f"Draft{number}Validator")
    return jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    schema_path = Path(argv[1])
    compose_path = (
        Path(argv[2]) if len(argv) == 3 else Path(__file__).resolve().parent.parent / "docker-compose.yml"
    )

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    document = yaml.safe_load(compose_path.read_text(encoding="utf-8"))

    validator_class = pick_validator(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))

    if errors:
        for error in errors:
            where = "/".join(map(str, error.absolute_path)) or "(top level)"
            sys.stdout.write(f"INVALID {where}: {error.message}\n")
        sys.stdout.write(f"{compose_path}: {len(errors)} error(s) against {schema_path}\n")
        return 1

    services = ", ".join(document.get("services", {}))
    sys.stdout.write(
        f"{compose_path}: valid against {schema_path} ({validator_class.__name__}); services: {services}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
