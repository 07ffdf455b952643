# threads_children.py FILE: tries to read FILE from the main thread, from
# a second thread and from a forked child that does not exec, and prints
# what each got: "ok" or "errnoN" (a helper of the scenarios, not one).
import os, sys, threading
def attempt():
    try:
        open(sys.argv[1], "rb").read(16)
        return "ok"
    except OSError as e:
        return "errno%d" % e.errno
res = [attempt()]
t = threading.Thread(target=lambda: res.append(attempt()))
t.start()
t.join()
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.write(w, attempt().encode())
    os._exit(0)
os.waitpid(pid, 0)
res.append(os.read(r, 16).decode())
print(" ".join(res))
