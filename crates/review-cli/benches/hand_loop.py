"""An independent, sequential client of both platforms, written from the API documents alone:
Python's standard library (http.client over one kept-alive connection, json), one request at a
time. It reads the records `reviews export` reads (every WeChat comment of the range with
`replied` from the awaiting-reply listing; every Taobao rate, windows halved under the 1500
cap) and prints how many. The baseline of `cargo bench -p review-cli --bench network`.

Usage: hand_loop.py BASE_URL WECHAT_APPID WECHAT_SECRET FW199_APPID FW199_SECRET SELLER_NICK SINCE UNTIL
(SINCE and UNTIL in Unix seconds).
"""

import hashlib
import http.client
import json
import sys
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))
CAP = 1500


def main():
    base, appid, secret, fw_appid, fw_secret, nick, since, until = sys.argv[1:9]
    since, until = int(since), int(until)
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)

    def call(method, path, body=None, headers=None):
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        data = answer.read()
        if answer.status != 200:
            raise SystemExit(f"{path}: HTTP {answer.status}")
        return json.loads(data)

    query = urllib.parse.urlencode(
        {"grant_type": "client_credential", "appid": appid, "secret": secret}
    )
    token = call("GET", f"/cgi-bin/token?{query}")["access_token"]

    def listing(filter_type):
        offset = 0
        while True:
            query = urllib.parse.urlencode(
                {
                    "access_token": token,
                    "startTime": since,
                    "endTime": until,
                    "filterType": filter_type,
                    "offset": offset,
                    "limit": 100,
                }
            )
            page = call("GET", f"/wxaapi/comment/mpcommentlist/get?{query}")
            if page.get("errcode", 0) != 0:
                raise SystemExit(f"WeChat: {page}")
            comments = page.get("commentList") or []
            yield from comments
            offset += len(comments)
            if not comments or offset >= int(page.get("total", 0)):
                return

    awaiting = {c["commentId"] for c in listing(4)}
    wechat = [(c["commentId"], c["commentId"] not in awaiting) for c in listing(6)]

    def fmt(second):
        return datetime.fromtimestamp(second, CST).strftime("%Y-%m-%d %H:%M:%S")

    def rates(params):
        params = dict(params, appid=fw_appid, timestamp=str(int(time.time())),
                      tb_seller_nick=nick, rate_type="get", role="buyer")
        signed = fw_secret + "".join(k + v for k, v in sorted(params.items())) + fw_secret
        params["sign"] = hashlib.md5(signed.encode()).hexdigest()
        body = urllib.parse.urlencode(params)
        answer = call("POST", "/gateway/taobao/traderates/get", body,
                      {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        if answer.get("code") != 0:
            raise SystemExit(f"fw199: {answer.get('code')} {answer.get('message')}")
        return answer["data"]

    taobao = []

    def window(start, end):
        count = rates({"start_date": fmt(start), "end_date": fmt(end), "page_no": "1",
                       "page_size": "1", "use_has_next": "false"}).get("total_results", 0)
        if count == 0:
            return
        if count >= CAP and start < end:
            middle = start + (end - start) // 2
            window(start, middle)
            window(middle + 1, end)
            return
        page_no = 1
        while True:
            data = rates({"start_date": fmt(start), "end_date": fmt(end), "page_no": str(page_no),
                          "page_size": "100", "use_has_next": "true"})
            found = (data.get("trade_rates") or {}).get("trade_rate") or []
            taobao.extend((r["oid"], r["role"]) for r in found)
            if not found or not data.get("has_next"):
                return
            page_no += 1

    window(since, until)
    print(json.dumps({"wechat": len(wechat), "taobao": len(taobao)}))


if __name__ == "__main__":
    main()
