"""Run the web application under uvicorn, print where it is, and stop cleanly (workers included)."""

from __future__ import annotations

import sys

from derive.web.options import ServeOptions


def serve(options: ServeOptions) -> int:
    """Serve until interrupted (Ctrl-C or SIGTERM); the worker processes end with the server.

    The workers start first, in the background: their fork server imports the engine while this
    process imports the web side (start-up is the longer of the two, not their sum)."""
    from derive.web.work import Work

    work = Work(options)
    work.start_in_background()
    try:
        import uvicorn

        from derive.web.app import create_app

        app = create_app(options, work=work)
        web = app.state.web
        config = uvicorn.Config(app, host=options.host, port=options.port, log_level="warning", access_log=False,
                                lifespan="on", timeout_graceful_shutdown=5, server_header=False)
        config.load()  # uvicorn's own imports, while the workers start
        web.prepare()  # errors in the options are one line, before anything listens
    except BaseException:
        work.close()
        raise
    host = f"[{options.host}]" if ":" in options.host else options.host
    base = f"http://{host}:{options.port}"
    print(f"derive serve: {base}/", flush=True)
    if options.host in ("0.0.0.0", "::"):
        print(f"  (listening on every network interface: others open http://THIS-MACHINE:{options.port}/ with this "
              "machine's name or address on your network)", flush=True)
    if web.store is not None:
        print(f"class {options.class_name}: students open {base}/class ; submissions are kept in {web.store.path}", flush=True)
        print(f"teacher's gradebook (keep this link to yourself): {base}/teacher?token={web.teacher_token}", flush=True)
    server = uvicorn.Server(config)
    try:
        server.run()
    except SystemExit:
        pass  # uvicorn could not listen; it has said why
    finally:
        web.work.close()
    if not server.started:
        print(f"derive: error: could not serve on {options.host}:{options.port} (is the port in use?)", file=sys.stderr)
        return 1
    return 0
