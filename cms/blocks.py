"""The shared StreamField block set for content pages."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("heading"))
    size = blocks.ChoiceBlock(choices=[("h2", "H2"), ("h3", "H3")], default="h2", label=_("size"))

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"


class CalloutBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"))
    body = blocks.RichTextBlock(label=_("text"))

    class Meta:
        icon = "warning"
        template = "blocks/callout_block.html"


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(icon="pilcrow", label=_("paragraph"))
    image = ImageBlock(label=_("image"))
    callout = CalloutBlock(label=_("callout"))
    table = blocks.ListBlock(blocks.CharBlock(), label=_("list"))
