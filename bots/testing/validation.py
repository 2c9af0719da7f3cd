"""Discord's form rules for what the bot sends: messages, embeds, components, threads, modals, commands.

A payload that breaks one is answered as Discord answers it: 400, code 50035 "Invalid Form Body", and an
`errors` object nested along the path of each bad value (`{"embeds": {"0": {"title": {"_errors": [...]}}}}`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

CONTENT = 2000
EMBEDS = 10
EMBED_TOTAL = 6000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER_TEXT = 2048
AUTHOR_NAME = 256
ACTION_ROWS = 5
ROW_BUTTONS = 5
CUSTOM_ID = 100
BUTTON_LABEL = 80
FILES = 10
THREAD_NAME = 100
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
MODAL_TITLE = 45
INPUT_LABEL = 45
INPUT_PLACEHOLDER = 100
INPUT_LENGTH = 4000
COMMANDS = 100
COMMAND_NAME = re.compile(r"^[-_a-z0-9]{1,32}$")
COMMAND_DESCRIPTION = 100
OPTIONS = 25
CHOICES = 25
COMMAND_TOTAL = 4000
MESSAGE_FLAGS = (1 << 2) | (1 << 12)  # suppress embeds, suppress notifications
INTERACTION_FLAGS = MESSAGE_FLAGS | (1 << 6)  # ... and ephemeral
MENTION_TYPES = {"users", "roles", "everyone"}

Path = tuple[str | int, ...]


class FormErrors:
    """Collects bad values by path and renders Discord's nested 50035 body."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def __bool__(self) -> bool:
        return bool(self.tree)

    def add(self, path: Path, code: str, message: str) -> None:
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def body(self) -> dict[str, Any]:
        return {"code": 50035, "message": "Invalid Form Body", "errors": self.tree}

    def text(self, path: Path, value: Any, *, max_len: int, min_len: int = 0, required: bool = False) -> None:
        """A string field: present when required, a string, and within its length."""
        if value is None:
            if required:
                self.add(path, "BASE_TYPE_REQUIRED", "This field is required")
            return
        if not isinstance(value, str):
            self.add(path, "STRING_TYPE_CONVERT", "Could not interpret the value as string.")
        elif len(value) > max_len or len(value) < min_len:
            if min_len:
                self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {min_len} and {max_len} in length.")
            else:
                self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {max_len} or fewer in length.")

    def items(self, path: Path, value: Any, *, max_items: int, min_items: int = 0) -> list[Any]:
        """A list field within its size; returns the list (empty when absent or not a list)."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, "LIST_TYPE_CONVERT", "Must be an array.")
            return []
        if not min_items <= len(value) <= max_items:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {min_items} and {max_items} in length.")
        return value


# ---- messages -----------------------------------------------------------------------------------


def check_message(body: Any, errors: FormErrors, *, files: int = 0, interaction: bool = False, path: Path = ()) -> None:
    """A message as sent (create, edit, follow-up, interaction response data)."""
    if not isinstance(body, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    errors.text((*path, "content"), body.get("content"), max_len=CONTENT)
    embeds = errors.items((*path, "embeds"), body.get("embeds"), max_items=EMBEDS)
    total = 0
    for index, embed in enumerate(embeds):
        total += check_embed(embed, errors, (*path, "embeds", index))
    if total > EMBED_TOTAL:
        errors.add((*path, "embeds"), "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL}")
    check_components(body.get("components"), errors, (*path, "components"))
    check_allowed_mentions(body.get("allowed_mentions"), errors, (*path, "allowed_mentions"))
    errors.items((*path, "attachments"), body.get("attachments"), max_items=FILES)
    if files > FILES:
        errors.add((*path, "files"), "BASE_TYPE_BAD_LENGTH", f"Must be between 0 and {FILES} in length.")
    flags = body.get("flags")
    allowed = INTERACTION_FLAGS if interaction else MESSAGE_FLAGS
    if flags is not None and (not isinstance(flags, int) or flags & ~allowed):
        errors.add((*path, "flags"), "MESSAGE_FLAGS_INVALID", "Invalid message flags")


def check_kept_attachments(body: dict[str, Any], message: dict[str, Any], files: int, errors: FormErrors) -> None:
    """An edit's `attachments` name the message's own attachments (by id) or the files uploaded with it (index)."""
    if not isinstance(body.get("attachments"), list):
        return
    own = {att["id"] for att in message["attachments"]}
    for index, att in enumerate(body["attachments"]):
        ident = att.get("id") if isinstance(att, dict) else None
        if str(ident) not in own and not (isinstance(ident, int) and 0 <= ident < files):
            errors.add(("attachments", index, "id"), "ATTACHMENT_NOT_FOUND", "Unknown attachment")


def is_empty(body: dict[str, Any], files: int) -> bool:
    """Nothing to show: Discord answers 50006 "Cannot send an empty message"."""
    return not (body.get("content") or body.get("embeds") or body.get("components") or body.get("sticker_ids") or files)


def check_embed(embed: Any, errors: FormErrors, path: Path) -> int:
    """One embed's limits; returns the characters it counts towards the 6,000 of a message."""
    if not isinstance(embed, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return 0
    errors.text((*path, "title"), embed.get("title"), max_len=EMBED_TITLE)
    errors.text((*path, "description"), embed.get("description"), max_len=EMBED_DESCRIPTION)
    colour = embed.get("color")
    if colour is not None and not (isinstance(colour, int) and 0 <= colour <= 0xFFFFFF):
        errors.add((*path, "color"), "NUMBER_TYPE_MAX", "int value should be <= 16777215 and >= 0.")
    counted = len(embed.get("title") or "") + len(embed.get("description") or "")
    for index, item in enumerate(errors.items((*path, "fields"), embed.get("fields"), max_items=EMBED_FIELDS)):
        where = (*path, "fields", index)
        item = item if isinstance(item, dict) else {}
        errors.text((*where, "name"), item.get("name"), max_len=FIELD_NAME, min_len=1, required=True)
        errors.text((*where, "value"), item.get("value"), max_len=FIELD_VALUE, min_len=1, required=True)
        counted += len(str(item.get("name") or "")) + len(str(item.get("value") or ""))
    if isinstance(footer := embed.get("footer"), dict):
        errors.text((*path, "footer", "text"), footer.get("text"), max_len=FOOTER_TEXT, required=True)
        counted += len(str(footer.get("text") or ""))
    if isinstance(author := embed.get("author"), dict):
        errors.text((*path, "author", "name"), author.get("name"), max_len=AUTHOR_NAME, required=True)
        counted += len(str(author.get("name") or ""))
    return counted


def check_components(rows: Any, errors: FormErrors, path: Path) -> None:
    """Action rows of buttons: at most 5 rows of 5, each with a valid, unique custom_id and a short label."""
    seen: set[str] = set()
    for r, row in enumerate(errors.items(path, rows, max_items=ACTION_ROWS)):
        if not isinstance(row, dict) or row.get("type") != 1:
            errors.add((*path, r, "type"), "COMPONENT_LAYOUT_INVALID", "Only action rows may be top-level components")
            continue
        for b, button in enumerate(errors.items((*path, r, "components"), row.get("components"), max_items=5)):
            where = (*path, r, "components", b)
            if not isinstance(button, dict) or button.get("type") != 2:
                continue  # only buttons are used by the bot; other component types pass unchecked
            if button.get("style") == 5:
                errors.text((*where, "url"), button.get("url"), max_len=512, min_len=1, required=True)
            else:
                custom_id = button.get("custom_id")
                errors.text((*where, "custom_id"), custom_id, max_len=CUSTOM_ID, min_len=1, required=True)
                if isinstance(custom_id, str) and custom_id in seen:
                    errors.add(
                        (*where, "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                seen.add(str(custom_id))
            errors.text((*where, "label"), button.get("label"), max_len=BUTTON_LABEL)
            if not button.get("label") and not button.get("emoji"):
                errors.add(where, "BUTTON_COMPONENT_INVALID", "A button needs a label or an emoji")


def check_allowed_mentions(mentions: Any, errors: FormErrors, path: Path) -> None:
    if mentions is None:
        return
    if not isinstance(mentions, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    parse = mentions.get("parse", [])
    for index, kind in enumerate(parse if isinstance(parse, list) else []):
        if kind not in MENTION_TYPES:
            errors.add((*path, "parse", index), "ENUM_TYPE_COERCE", f'Value "{kind}" is not a valid enum value.')
    for kind in ("users", "roles"):
        if kind in parse and mentions.get(kind):
            errors.add(
                (*path, "parse"),
                "ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.',
            )
        errors.items((*path, kind), mentions.get(kind), max_items=100)


# ---- threads, modals ----------------------------------------------------------------------------


def check_thread(body: Any, errors: FormErrors) -> None:
    body = body if isinstance(body, dict) else {}
    errors.text(("name",), body.get("name"), max_len=THREAD_NAME, min_len=1, required=True)
    duration = body.get("auto_archive_duration")
    if duration is not None and duration not in ARCHIVE_DURATIONS:
        errors.add(("auto_archive_duration",), "ENUM_TYPE_COERCE", f'Value "{duration}" is not a valid enum value.')


def check_modal(data: Any, errors: FormErrors, path: Path = ("data",)) -> None:
    """A modal: a short title, a custom_id, 1 to 5 rows each holding one text input within its limits."""
    data = data if isinstance(data, dict) else {}
    errors.text((*path, "title"), data.get("title"), max_len=MODAL_TITLE, min_len=1, required=True)
    errors.text((*path, "custom_id"), data.get("custom_id"), max_len=CUSTOM_ID, min_len=1, required=True)
    rows = errors.items((*path, "components"), data.get("components"), max_items=5, min_items=1)
    if not rows:
        errors.add((*path, "components"), "BASE_TYPE_REQUIRED", "This field is required")
    for r, row in enumerate(rows):
        children = row.get("components", []) if isinstance(row, dict) and row.get("type") == 1 else []
        inner = [row.get("component")] if isinstance(row, dict) and row.get("type") == 18 else children
        for c, field in enumerate(inner):
            where = (*path, "components", r, "components", c)
            field = field if isinstance(field, dict) else {}
            errors.text((*where, "custom_id"), field.get("custom_id"), max_len=CUSTOM_ID, min_len=1, required=True)
            if row.get("type") == 1:
                errors.text((*where, "label"), field.get("label"), max_len=INPUT_LABEL, min_len=1, required=True)
            errors.text((*where, "placeholder"), field.get("placeholder"), max_len=INPUT_PLACEHOLDER)
            errors.text((*where, "value"), field.get("value"), max_len=INPUT_LENGTH)
            for key in ("min_length", "max_length"):
                bound = field.get(key)
                if bound is not None and not (isinstance(bound, int) and 0 <= bound <= INPUT_LENGTH):
                    errors.add((*where, key), "NUMBER_TYPE_MAX", f"int value should be <= {INPUT_LENGTH} and >= 0.")


# ---- application commands -----------------------------------------------------------------------


def check_commands(commands: Any, errors: FormErrors) -> None:
    """A bulk overwrite: at most 100 commands, unique names, each command's own rules."""
    names: set[tuple[int, str]] = set()
    for index, command in enumerate(errors.items((), commands, max_items=COMMANDS)):
        if not isinstance(command, dict):
            errors.add((index,), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        key = (int(command.get("type", 1)), str(command.get("name")))
        if key in names:
            errors.add(
                (index, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique: {key[1]}",
            )
        names.add(key)
        _check_command(command, errors, (index,))


def _check_command(command: dict[str, Any], errors: FormErrors, path: Path) -> None:
    chat = int(command.get("type", 1)) == 1
    name = command.get("name")
    if not isinstance(name, str) or (chat and not COMMAND_NAME.match(name)):
        errors.add((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    if chat:
        errors.text(
            (*path, "description"), command.get("description"), max_len=COMMAND_DESCRIPTION, min_len=1, required=True
        )
    permissions = command.get("default_member_permissions")
    if permissions is not None and not str(permissions).isdigit():
        errors.add(
            (*path, "default_member_permissions"), "NUMBER_TYPE_COERCE", f'Value "{permissions}" is not snowflake.'
        )
    _check_options(command.get("options"), errors, (*path, "options"), depth=0)
    if _characters(command) > COMMAND_TOTAL:
        errors.add(path, "APPLICATION_COMMAND_TOO_LARGE", f"Command exceeds maximum size ({COMMAND_TOTAL})")


def _check_options(options: Any, errors: FormErrors, path: Path, *, depth: int) -> None:
    """Options: names and descriptions, choices, required before optional, sub-commands nested at most twice.
    Fields that only a top-level command carries (permissions, contexts) are refused inside options."""
    options = errors.items(path, options, max_items=OPTIONS)
    seen_optional = False
    for index, option in enumerate(options):
        where = (*path, index)
        option = option if isinstance(option, dict) else {}
        name = option.get("name")
        if not isinstance(name, str) or not COMMAND_NAME.match(name):
            errors.add((*where, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Option name is invalid")
        errors.text(
            (*where, "description"), option.get("description"), max_len=COMMAND_DESCRIPTION, min_len=1, required=True
        )
        for top_only in ("default_member_permissions", "dm_permission", "contexts", "integration_types", "nsfw"):
            if top_only in option:
                errors.add((*where, top_only), "UNKNOWN_FIELD", f"{top_only} is only valid on a top-level command")
        kind = option.get("type")
        if kind in (1, 2):
            if depth >= (1 if kind == 2 else 2):
                errors.add((*where, "type"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-commands nest too deep")
            _check_options(option.get("options"), errors, (*where, "options"), depth=depth + 1)
            continue
        for c, choice in enumerate(errors.items((*where, "choices"), option.get("choices"), max_items=CHOICES)):
            errors.text(
                (*where, "choices", c, "name"), (choice or {}).get("name"), max_len=100, min_len=1, required=True
            )
        if option.get("required"):
            if seen_optional:
                errors.add(
                    (*where, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True


def _characters(command: dict[str, Any]) -> int:
    """Characters Discord counts towards a command's size: names, descriptions and choice names, nested."""

    def count(node: dict[str, Any]) -> int:
        own = len(str(node.get("name", ""))) + len(str(node.get("description", "")))
        own += sum(len(str(c.get("name", ""))) + len(str(c.get("value", ""))) for c in node.get("choices") or [])
        return own + sum(count(child) for child in node.get("options") or [] if isinstance(child, dict))

    return count(command)


def messages_of(errors: FormErrors) -> Sequence[str]:
    """Every error message, flattened (for test failure output)."""
    found: list[str] = []

    def walk(node: dict[str, Any], where: str) -> None:
        for key, value in node.items():
            if key == "_errors":
                found.extend(f"{where}: {e['message']}" for e in value)
            else:
                walk(value, f"{where}.{key}" if where else key)

    walk(errors.tree, "")
    return found
