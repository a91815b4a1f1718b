"""Log records never carry research content.

Exception messages and tracebacks can quote data: a database error names the duplicate value
("Key (project_id, code)=(1, SW-007)"), a parser quotes the text it choked on. Records keep the
exception's class and where it was raised; the message and the traceback are dropped.
"""

import logging
import traceback


class ExceptionClassOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            frames = traceback.extract_tb(record.exc_info[2])
            where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
            record.msg = f"{record.getMessage()} [{type(error).__module__}.{type(error).__qualname__}{where}]"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True
