"""Path converters that keep the zero padding of /YYYY/MM/ in reversed URLs."""


class YearConverter:
    regex = r"[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"


class MonthConverter:
    regex = r"[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):02d}"
