"""What a client sends: the request bodies of qa's own endpoints and OpenAI's chat completion, checked by pydantic
before a route runs (a wrong type is a 422 with where and what). Their names are the OpenAPI schema's."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..store.filters import Filters


class FiltersIn(BaseModel):
    source: str | None = None
    since: str | None = Field(default=None, description="Only articles dated on or after YYYY-MM-DD.")
    until: str | None = Field(default=None, description="Only articles dated on or before YYYY-MM-DD.")
    title: str | None = None
    company: str | None = Field(default=None, description="Only filings whose filer's name contains this text.")

    def filters(self) -> Filters:
        """The search's ``Filters``, named as the CLI names them; a date that is no date is an InputError here."""
        return Filters(source=self.source, date_from=self.since, date_to=self.until, title=self.title,
                       company=self.company)


class ContentPart(BaseModel):
    """One of OpenAI's content parts; only text parts are read (an image part is accepted and ignored)."""

    model_config = ConfigDict(extra="ignore")
    type: str
    text: str | None = None


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        """The message's words, whether OpenAI sent them as a string or as content parts."""
        if isinstance(self.content, list):  # OpenAI's content parts: keep the text ones
            return " ".join(p.text for p in self.content if p.type == "text" and p.text)
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI's chat-completion request; sampling fields are accepted and ignored (qa answers at temperature 0)."""

    model_config = ConfigDict(extra="ignore")
    model: str = "qa"
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    filters: FiltersIn | None = None


class SearchRequest(FiltersIn):
    query: str
    k: int | None = Field(default=None, ge=1, le=100)


class AskRequest(FiltersIn):
    question: str
