#!/usr/bin/env python3
"""Independent fw199 signature vectors, computed with Python's hashlib.

sign = md5(secret + k1 + v1 + ... + secret), names sorted by byte, values raw (UTF-8),
`sign` excluded, lowercase hex. Run it to regenerate fw199_sign_vectors.json:

    python3 crates/review-protocol/tests/data/fw199_sign_vectors.py > crates/review-protocol/tests/data/fw199_sign_vectors.json
"""
import hashlib
import json

CASES = [
    ("the document's request", "FW199_SECRET", [
        ("appid", "uwkahf@jfs92"), ("timestamp", "1633618722"), ("tb_seller_nick", "kingdo"),
        ("rate_type", "get"), ("role", "buyer"),
    ]),
    ("every parameter, Chinese nick and a date with a space", "s3cr3t", [
        ("appid", "tk93hd@qx71m"), ("timestamp", "1790150400"), ("tb_seller_nick", "鲜果优选旗舰店"),
        ("rate_type", "get"), ("role", "buyer"), ("result", "bad"), ("page_no", "2"),
        ("page_size", "150"), ("start_date", "2026-09-01 00:00:00"), ("end_date", "2026-09-20 23:59:59"),
        ("tid", "1702473948221565830"), ("use_has_next", "true"), ("num_iid", "544876335798"),
        ("ouid", "AAF3x_9-kLm+/="),
    ]),
    ("byte order puts uppercase before lowercase and '_' between", "k", [
        ("b", "1"), ("B", "2"), ("a_b", "3"), ("ab", "4"), ("a", "&=?%"),
    ]),
    ("an empty value is still signed", "secret-with-中文", [
        ("appid", "x"), ("ouid", ""),
    ]),
]


def sign(secret, params):
    text = secret + "".join(k + v for k, v in sorted(params, key=lambda kv: kv[0].encode())) + secret
    return hashlib.md5(text.encode("utf-8")).hexdigest()


print(json.dumps(
    [{"case": name, "secret": secret, "params": params, "sign": sign(secret, params)}
     for name, secret, params in CASES],
    ensure_ascii=False, indent=2,
))
