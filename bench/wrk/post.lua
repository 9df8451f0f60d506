-- POST the body given in WRK_BODY (JSON) to the URL wrk was given.
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY") or ""
wrk.headers["Content-Type"] = "application/json"
