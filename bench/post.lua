-- wrk script: a client_credentials token request with client_secret_basic (RFC 6749 §4.4.2, §2.3.1).
-- BENCH_BASIC holds base64(client_id ":" client_secret); run.sh sets it per client.
wrk.method = "POST"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("BENCH_BASIC")
