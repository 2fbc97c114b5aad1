"""Where each key and array element of a TOML document starts, so errors found after parsing can
name a line.

tomllib reports lines for syntax errors only; a semantic error (an unknown metric name) comes back
as a key path such as ``policies.odr.condition.metric``. This scanner walks the text once and maps
every path to the line where it is written. It relies on tomllib having accepted the text already,
so it only needs to understand enough of TOML to tell keys from values.
"""

from __future__ import annotations

from bisect import bisect_right

KeyPath = tuple[str | int, ...]

_SCALAR_END = ",]}\n#"


class TomlLineIndex:
    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line_starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
        self._array_table_sizes: dict[KeyPath, int] = {}
        self.lines: dict[KeyPath, int] = {}
        self._scan_document()

    def line_of(self, path: KeyPath) -> tuple[int, int]:
        """The line of the longest prefix of ``path`` written in the text, and that prefix's length.

        Returns (0, 0) when not even the first key is in the text.
        """
        for length in range(len(path), 0, -1):
            line = self.lines.get(path[:length])
            if line is not None:
                return line, length
        return 0, 0

    # --- scanning -----------------------------------------------------------------------------

    def _record(self, path: KeyPath, at: int | None = None) -> None:
        position = self._pos if at is None else at
        self.lines.setdefault(path, bisect_right(self._line_starts, position))

    def _peek(self, count: int = 1) -> str:
        return self._text[self._pos : self._pos + count]

    def _skip_blank(self, *, newlines: bool) -> None:
        text = self._text
        while self._pos < len(text):
            char = text[self._pos]
            if char in " \t\r" or (newlines and char == "\n"):
                self._pos += 1
            elif char == "#":
                end = text.find("\n", self._pos)
                self._pos = len(text) if end == -1 else end
            else:
                return

    def _scan_document(self) -> None:
        table: KeyPath = ()
        while True:
            self._skip_blank(newlines=True)
            if self._pos >= len(self._text):
                return
            if self._peek(2) == "[[":
                self._pos += 2
                keys = self._read_key()
                header = (*self._resolve(keys[:-1]), keys[-1])
                index = self._array_table_sizes.get(header, 0)
                self._array_table_sizes[header] = index + 1
                table = (*header, index)
                self._record(header)
                self._record(table)
                self._pos += 2  # "]]"
            elif self._peek() == "[":
                self._pos += 1
                table = self._resolve(self._read_key())
                self._record(table)
                self._pos += 1  # "]"
            else:
                self._scan_key_value(table)

    def _resolve(self, keys: list[str]) -> KeyPath:
        """A header path, with the current index after each array of tables it passes through."""
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            size = self._array_table_sizes.get(path)
            if size is not None:
                path = (*path, size - 1)
        return path

    def _scan_key_value(self, table: KeyPath) -> None:
        start = self._pos
        keys = self._read_key()
        for length in range(1, len(keys) + 1):  # a.b.c = 1 also writes tables a and a.b
            self._record((*table, *keys[:length]), at=start)
        path = (*table, *keys)
        self._skip_blank(newlines=False)
        self._pos += 1  # "="
        self._skip_blank(newlines=False)
        self._scan_value(path)

    def _read_key(self) -> list[str]:
        keys: list[str] = []
        while True:
            self._skip_blank(newlines=False)
            char = self._peek()
            if char in "\"'":
                keys.append(self._read_quoted_key(char))
            else:
                start = self._pos
                while self._pos < len(self._text) and (
                    self._text[self._pos].isalnum() or self._text[self._pos] in "_-"
                ):
                    self._pos += 1
                keys.append(self._text[start : self._pos])
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return keys
            self._pos += 1

    def _read_quoted_key(self, quote: str) -> str:
        self._pos += 1
        start = self._pos
        while self._text[self._pos] != quote:
            self._pos += 2 if quote == '"' and self._text[self._pos] == "\\" else 1
        key = self._text[start : self._pos]
        self._pos += 1
        return key

    def _scan_value(self, path: KeyPath) -> None:
        char = self._peek()
        if self._peek(3) in ('"""', "'''"):
            self._skip_string(self._peek(3))
        elif char in "\"'":
            self._skip_string(char)
        elif char == "[":
            self._scan_array(path)
        elif char == "{":
            self._scan_inline_table(path)
        else:
            while self._pos < len(self._text) and self._text[self._pos] not in _SCALAR_END:
                self._pos += 1

    def _skip_string(self, quote: str) -> None:
        self._pos += len(quote)
        escapes = quote.startswith('"')
        while not self._text.startswith(quote, self._pos):
            self._pos += 2 if escapes and self._text[self._pos] == "\\" else 1
        self._pos += len(quote)
        # a multi-line string may end with extra quotes that belong to its content
        while quote in ('"""', "'''") and self._peek() == quote[0]:
            self._pos += 1

    def _scan_array(self, path: KeyPath) -> None:
        self._pos += 1
        index = 0
        while True:
            self._skip_blank(newlines=True)
            if self._peek() == "]":
                self._pos += 1
                return
            element = (*path, index)
            self._record(element)
            self._scan_value(element)
            self._skip_blank(newlines=True)
            if self._peek() == ",":
                self._pos += 1
            index += 1

    def _scan_inline_table(self, path: KeyPath) -> None:
        self._pos += 1
        while True:
            self._skip_blank(newlines=False)
            if self._peek() == "}":
                self._pos += 1
                return
            self._scan_key_value(path)
            self._skip_blank(newlines=False)
            if self._peek() == ",":
                self._pos += 1
