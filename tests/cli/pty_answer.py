#!/usr/bin/python3
"""pty_answer.py — run a command on a fresh pseudo-terminal, answering its
passphrase prompts, like a person at the keyboard.

    pty_answer.py ANSWER... -- COMMAND [ARG...]

For each ANSWER in turn: waits until a new prompt ending in ": " appears
and the terminal's echo is off (the command is then reading the answer),
then types ANSWER and Enter. Typing earlier would be lost: the command
flushes pending input when it turns echo off. Then waits for the command
to end. Everything the terminal showed is written to standard output; the
exit status is the command's (128 + N if killed by signal N), 124 on time-out.
"""
import os
import pty
import select
import signal
import sys
import termios
import time

TIMEOUT = float(os.environ.get("PTY_ANSWER_TIMEOUT", "60"))


def main():
    args = sys.argv[1:]
    if "--" not in args:
        sys.exit(__doc__)
    split = args.index("--")
    answers, command = args[:split], args[split + 1 :]
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)

    shown = b""
    deadline = time.monotonic() + TIMEOUT

    def read_some(wait):
        """Reads what the terminal shows; False once the command closed it."""
        nonlocal shown
        ready, _, _ = select.select([master], [], [], wait)
        if not ready:
            return True
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the last holder of the terminal is gone
            return False
        shown += data
        return bool(data)

    def echo_off():
        # On Linux the master reports the terminal (slave) settings.
        return not termios.tcgetattr(master)[3] & termios.ECHO

    open_ = True
    for answer in answers:
        seen = len(shown)
        while open_ and time.monotonic() < deadline:
            if b": " in shown[seen:] and echo_off():
                break
            open_ = read_some(0.05)
        if not open_ or time.monotonic() >= deadline:
            break
        os.write(master, answer.encode() + b"\n")
    while open_ and time.monotonic() < deadline:
        open_ = read_some(0.2)
    if open_:
        os.kill(pid, signal.SIGKILL)
        shown += b"\n[pty_answer: time-out]\n"
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(shown)
    if open_:
        sys.exit(124)
    code = os.waitstatus_to_exitcode(status)
    sys.exit(code if code >= 0 else 128 - code)


main()
