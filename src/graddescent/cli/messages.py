"""The command line's messages: one line on stderr for an error, a note or a warning, in the
option names a command-line user types."""

import re
import sys

EXIT_ERROR = 2
EXIT_DIVERGED = 1  # the fit diverged: no model written
# R's names in the library's messages -> the options a command-line user types
_MESSAGE_NAMES = {"featureScaling=False": "--scaling none",
                  "(featureScaling=True / varianceScaling)": "(--scaling variance)",
                  "smaller alpha": "smaller --alpha", "lamda=0": "--lamda 0", "larger innerIter": "larger --inner-iter",
                  "change lamda or alpha": "change --lamda or --alpha", "smaller lamda": "smaller --lamda",
                  "smaller maxIter or innerIter": "smaller --max-iter or --inner-iter",
                  "a smaller innerIter (inner_iter)": "a smaller --inner-iter"}


class CLIError(Exception):
    """A user error: the message (one line) says what is wrong and what to do."""


def _fail(message):
    print(f"graddescent: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _message(exc):
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"cannot use {exc.filename!r}: {exc.strerror}"
    text = str(exc) or type(exc).__name__
    for r_name, option in _MESSAGE_NAMES.items():
        text = text.replace(r_name, option)
    text = re.sub(r"\bvariant='(\w+)'", r"--variant \1", text)
    return " ".join(text.split())


def _note(text, quiet):
    if not quiet:
        print(f"graddescent: note: {text}", file=sys.stderr)


def _report_warnings(caught, quiet):
    if quiet:
        return
    for w in caught:
        print(f"graddescent: warning: {_message(w.message)}", file=sys.stderr)
