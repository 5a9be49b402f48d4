"""The foundation: users, street offices, organisations, roles, verification, audit log and directory."""
