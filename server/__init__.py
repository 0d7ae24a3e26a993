"""dieuhanh: the daily work of a People's Committee."""

import os

# Piccolo finds its configuration through this variable; the module itself reads settings lazily.
os.environ.setdefault("PICCOLO_CONF", "server.piccolo_conf")
