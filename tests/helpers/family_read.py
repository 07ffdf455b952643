# family_read.py FILE: tries to read FILE from the main thread, from a
# second thread and from a forked child, and prints what each got: "read"
# or "errnoN". Code injected into a process runs in all three.
import os
import sys
import threading


def attempt():
    try:
        with open(sys.argv[1], "rb") as f:
            f.read(16)
        return "read"
    except OSError as e:
        return "errno%d" % e.errno


res = [attempt()]
t = threading.Thread(target=lambda: res.append(attempt()))
t.start()
t.join()
r, w = os.pipe()
if os.fork() == 0:
    os.write(w, attempt().encode())
    os._exit(0)
os.wait()
res.append(os.read(r, 16).decode())
print(" ".join(res))
