"""Encoded answers kept while the engine's revision says they still hold.

The extension list is what applications poll most; building and encoding it anew for every
request is wasted work when nothing changed. The engine's ``config.revision`` changes whenever
an answer could, so an answer encoded under one revision is sent as it is until then.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from yspbx.api.registry import Encoded, encode_success


class AnswerCache:
    def __init__(self) -> None:
        self._answers: dict[str, tuple[Hashable, Encoded]] = {}

    async def get(
        self,
        endpoint: str,
        revision: Hashable,
        build: Callable[[], Awaitable[dict[str, Any]]],
    ) -> Encoded:
        kept = self._answers.get(endpoint)
        if kept is not None and kept[0] == revision:
            return kept[1]
        answer = Encoded(encode_success(await build()))
        # Stored under the revision read before building: a change while building only
        # means the next request builds again.
        self._answers[endpoint] = (revision, answer)
        return answer

    def clear(self) -> None:
        self._answers.clear()
