"""One exception type for problems the user can fix; the CLI prints it as one line."""


class VocError(ValueError):
    """A user-facing error: the message names the file, key, URL or package and what to do.

    A ValueError, so pydantic validators that raise it report it as a validation error.
    """


def missing_package(package: str, extra: str | None = None, purpose: str = "") -> VocError:
    hint = f"pip install 'voc[{extra}]'" if extra else f"pip install {package}"
    why = f" (needed for {purpose})" if purpose else ""
    return VocError(f"package {package!r} is not installed{why}: {hint}")
