"""SFT examples: a prompt (text or chat messages) and the reference response to learn, read from a data source.

A row gives an example in one of two shapes: a prompt column and a response column
(``--prompt-column``, ``--response-column``), or a ``messages`` column holding a whole
conversation whose last message is the assistant's reply (the prompt is everything before it).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from ...datasource import MESSAGES_COLUMN, Columns, Row, Table
from ...errors import UsageError
from ..grpo.data import Prompt, PromptRecord, as_text, check_unique_ids, read_source, validation_problems
from ..grpo.errors import DataError
from ..grpo.protocols import Message
from ..grpo.tokenizer import as_messages, message_text


class Example(BaseModel):
    """One SFT example; other columns of its row are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)

    prompt: Prompt
    response: str
    id: str

    def messages(self) -> list[Message]:
        """The conversation to train on: the prompt's messages, then the response as the assistant's."""
        return [*as_messages(self.prompt), {"role": "assistant", "content": self.response}]

    def texts(self) -> list[str]:
        """Every text of the example (the offline backend's vocabulary comes from them)."""
        return [message_text(message) for message in self.messages()]

    def as_prompt(self) -> PromptRecord:
        """The prompt alone, with the response kept as the reference, for spot-check sampling."""
        return PromptRecord(prompt=self.prompt, id=self.id, response=self.response)


def read_examples(source: str, *, columns: Columns | None = None, split: str | None = None) -> list[Example]:
    """Every example of a source (JSONL, CSV, Parquet, a Hugging Face dataset); ``DataError`` names the row and column."""
    columns = columns or Columns()
    table = read_source(source, split)
    if not table.rows:
        raise DataError(f"{source}: no examples")
    conversations = columns.prompt not in table.columns and MESSAGES_COLUMN in table.columns
    if not conversations:
        for role, column in (("prompt", columns.prompt), ("response", columns.response)):
            try:
                table.require(column, columns.why(role) + f", or give a '{MESSAGES_COLUMN}' column instead")
            except UsageError as exc:
                raise DataError(str(exc)) from None
    examples = [_conversation(table, row) if conversations else _pair(table, row, columns) for row in table.rows]
    check_unique_ids(source, [example.id for example in examples])
    return examples


def _pair(table: Table, row: Row, columns: Columns) -> Example:
    values = {key: value for key, value in row.values.items() if key not in (columns.prompt, columns.response)}
    if row.values.get(columns.response) is None:
        raise DataError(f"{table.where(row)}: {columns.response}: Field required (the response to learn; {columns.why('response')})")
    values.update(prompt=row.values.get(columns.prompt), response=as_text(row.values[columns.response]))
    return _validated(table, row, values)


def _conversation(table: Table, row: Row) -> Example:
    messages = row.values.get(MESSAGES_COLUMN)
    if not (isinstance(messages, list) and messages and isinstance(messages[-1], dict) and messages[-1].get("role") == "assistant"):
        raise DataError(f"{table.where(row)}: {MESSAGES_COLUMN}: expected a list of chat messages ending with the assistant's reply")
    values = {key: value for key, value in row.values.items() if key != MESSAGES_COLUMN}
    values.update(prompt=messages[:-1] or "", response=message_text(messages[-1]))
    return _validated(table, row, values)


def _validated(table: Table, row: Row, values: dict) -> Example:
    values["id"] = as_text(values.get("id")) or row.default_id
    try:
        return Example.model_validate(values)
    except ValidationError as exc:
        raise DataError(f"{table.where(row)}: {validation_problems(exc)}") from None
