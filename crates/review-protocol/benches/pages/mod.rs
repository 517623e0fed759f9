//! The pages the benchmarks decode: generated, realistic in size and shape (Chinese text, media,
//! nested objects, ids beyond 2^53, numbers sent as strings), the same for every benchmark.

use serde_json::{Value, json};

/// A realistic page: Chinese text, media, nested objects, ids beyond 2^53, drifted types.
pub(crate) fn comments(comments: usize) -> Vec<u8> {
    let list: Vec<Value> = (0..comments)
        .map(|i| {
            let media = if i % 3 == 0 {
                json!([{"video": format!("https://vod.example.com/{i}.mp4"), "videoCover": "https://vod.example.com/c.jpg", "videoDuration": 11}])
            } else {
                json!([{"img": format!("https://img.example.com/{i}.jpg"), "thumbImg": format!("https://img.example.com/{i}_t.jpg")}])
            };
            json!({
                "commentId": format!("27977556801731{i:05}"),
                "amount": if i % 2 == 0 { json!(100 + i) } else { json!((100 + i).to_string()) },
                "orderId": format!("payorder@_42000017612023020963{i:08}"),
                "payTime": "1675915718",
                "wxPayId": format!("42000017612023020963{i:08}"),
                "orderInfo": {"busiOrderId": format!("XG2026{i:06}")},
                "userInfo": {"openid": format!("oQ3Xv5Gh9Ij2Kl5Mn8Op1Qr{i:04}"), "headImg": "http://wx.qlogo.cn/mmhead/abcdefghijk/0", "nickName": "豆豆妈😊"},
                "bizInfo": {"appid": "wx1234567890", "headImg": "http://wx.qlogo.cn/mmhead/xyz/0", "nickName": "鲜果优选商城"},
                "score": (i % 5 + 1) * 100,
                "createTime": 1_676_351_504 + i,
                "content": {"media": media, "txt": "一般吧 我总感觉这个成分很伤皮肤,用了之后一直很干燥,不是很喜欢这款产品 😡"},
                "extInfo": {"isAlreadySendTmpl": i % 4 == 0},
                "productInfo": {"productList": [{"name": "海南金钻凤梨 2个装 约3斤", "picUrl": "https://mmbiz.qpic.cn/x/0?wx_fmt=png"}]}
            })
        })
        .collect();
    serde_json::to_vec(&json!({"errcode": 0, "success": true, "commentList": list, "total": comments, "offset": 0})).unwrap()
}

/// A page of 100 trade rates as the gateway sends them: string ids, yuan prices, CST times.
pub(crate) fn rates(count: usize) -> Vec<u8> {
    let list: Vec<Value> = (0..count)
        .map(|i| {
            json!({
                "content": "物流很快,包装完好,果子很甜 👍 下次还来",
                "created": format!("2026-10-{:02} {:02}:{:02}:09", i % 28 + 1, i % 24, i % 60),
                "item_price": format!("{}.{:02}", 10 + i, i % 100),
                "item_title": "海南金钻凤梨 2个装 约3斤 新鲜水果",
                "nick": format!("b**{i}"),
                "num_iid": 544_876_335_798u64 + i as u64,
                "oid": format!("17024739482215{i:05}"),
                "rated_nick": "鲜果优选旗舰店",
                "reply": if i % 3 == 0 { "感谢亲的支持" } else { "" },
                "result": (["good", "neutral", "bad"])[i % 3],
                "role": "buyer",
                "tid": format!("17024739482215{i:05}"),
                "valid_score": i % 2 == 0,
                "logistics_service_score": 5,
                "ouid": format!("AAF3x9kLm{i}")
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "code": 0, "message": "ok", "trace_id": "",
        "data": {"request_id": "5tidszrdyw", "has_next": true, "trade_rates": {"trade_rate": list}}
    }))
    .unwrap()
}
