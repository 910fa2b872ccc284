#!/usr/bin/env python3
"""page_probe.py [--size W,H] [--screenshot FILE] URL SECONDS EXPR...:
load URL in headless Chromium and, for each JavaScript expression in
turn, evaluate it every 100 ms until it gives a true value, then print
that value (JSON) on a line of its own; then, with --screenshot, write a
PNG of the window (W x H, default 1200 x 900) to FILE. Exits 1 if
SECONDS pass first (printing the last value seen), 2 if Chromium cannot
be driven.

Chromium is driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: commands on its fd 3, answers on its fd 4, each
message JSON ended by a NUL), so no port is opened and nothing but the
standard library is needed. Chromium runs in a user data directory of its
own, removed at the end, and is killed (by pid) when the probe ends.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


class Chrome:
    def __init__(self, url, size):
        self.dir = tempfile.mkdtemp(prefix="page-probe.")
        cmd_r, self.cmd_w = os.pipe()   # we write commands, it reads fd 3
        self.ans_r, ans_w = os.pipe()   # it writes answers on fd 4
        # Out of the way of 3 and 4, so that the dup2 below always copies.
        cmd_r, ans_w = self.high(cmd_r), self.high(ans_w)
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if exe is None:
            raise RuntimeError("chromium not found")

        def fds():
            os.dup2(cmd_r, 3)   # inheritable: crosses the exec
            os.dup2(ans_w, 4)
        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check",
             "--remote-debugging-pipe", "--user-data-dir=" + self.dir,
             "--hide-scrollbars", "--window-size=" + size, url],
            preexec_fn=fds, close_fds=False,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(ans_w)
        self.buf = b""
        self.next_id = 0
        self.session = None

    @staticmethod
    def high(fd):
        import fcntl
        new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(fd)
        return new

    def send(self, method, params=None, session=None, deadline=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session is not None:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self.read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m["result"]

    def read(self, deadline):
        while b"\0" not in self.buf:
            if deadline is not None and time.time() > deadline:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self.ans_r, 65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        m, self.buf = self.buf.split(b"\0", 1)
        return json.loads(m)

    def attach(self, deadline):
        while time.time() < deadline:
            for t in self.send("Target.getTargets", deadline=deadline)[
                    "targetInfos"]:
                if t["type"] == "page":
                    self.session = self.send(
                        "Target.attachToTarget",
                        {"targetId": t["targetId"], "flatten": True},
                        deadline=deadline)["sessionId"]
                    return
            time.sleep(0.1)
        raise TimeoutError("no page in chromium")

    def eval(self, expr, deadline):
        r = self.send("Runtime.evaluate",
                      {"expression": expr, "returnByValue": True},
                      session=self.session, deadline=deadline)["result"]
        return r.get("value")

    def close(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    args, size, shot = sys.argv[1:], "1200,900", None
    while args and args[0].startswith("--") and len(args) > 1:
        if args[0] == "--size":
            size = args[1]
        elif args[0] == "--screenshot":
            shot = args[1]
        else:
            break
        args = args[2:]
    if len(args) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    url, seconds, exprs = args[0], float(args[1]), args[2:]
    deadline = time.time() + seconds
    try:
        c = Chrome(url, size)
    except Exception as e:
        print("page_probe: %s" % e, file=sys.stderr)
        return 2
    try:
        c.attach(deadline)
        for expr in exprs:
            v = None
            while True:
                try:
                    v = c.eval(expr, deadline)
                except RuntimeError:
                    v = None    # the page is still loading
                if v:
                    print(json.dumps(v), flush=True)
                    break
                if time.time() > deadline:
                    print(json.dumps(v), flush=True)
                    print("page_probe: timed out on: %s" % expr,
                          file=sys.stderr)
                    return 1
                time.sleep(0.1)
        if shot is not None:
            w, h = (int(x) for x in size.split(","))
            c.send("Emulation.setDeviceMetricsOverride",
                   {"width": w, "height": h, "deviceScaleFactor": 1,
                    "mobile": False}, session=c.session, deadline=deadline)
            png = c.send("Page.captureScreenshot", {"format": "png"},
                         session=c.session, deadline=deadline)["data"]
            with open(shot, "wb") as f:
                f.write(base64.b64decode(png))
        return 0
    except (TimeoutError, RuntimeError) as e:
        print("page_probe: %s" % e, file=sys.stderr)
        return 2
    finally:
        c.close()


sys.exit(main())
