//! The words of the emulated fruit shop: products, reviews, replies and buyers' names.
//!
//! Kept apart from the generator so that changing a sentence never changes how data is drawn.

/// What the shop sells: name and unit price in fen.
pub(super) const PRODUCTS: &[(&str, u64)] = &[
    ("云南高原蓝莓 125g*4盒 鲜果", 2990),
    ("海南金钻凤梨 2个装 约3斤", 4680),
    ("泰国金枕榴莲 3-4斤 整个", 16800),
    ("智利车厘子 JJ级 2斤礼盒", 13900),
    ("新疆阿克苏冰糖心苹果 5斤", 3980),
    ("赣南脐橙 10斤 当季现摘", 4990),
    ("广西沃柑 5斤 薄皮多汁", 2690),
    ("四川爱媛38号果冻橙 5斤", 3590),
    ("丹东99草莓 3斤 礼盒装", 9900),
    ("海南三亚贵妃芒 5斤", 3290),
    ("陕西周至翠香猕猴桃 24枚", 3880),
    ("福建平和红心柚 4个装", 3960),
    ("新西兰佳沛阳光金果 16粒", 12800),
    ("越南红心火龙果 5斤", 2990),
    ("宁夏中卫硒砂瓜 1个 约10斤", 3580),
    ("山东莱阳秋月梨 5斤", 3690),
    ("广东荔枝 妃子笑 3斤", 5980),
    ("浙江仙居杨梅 东魁 2斤", 8800),
    ("云南蒙自石榴 8个装", 4290),
    ("阳光玫瑰青提 2串 约3斤", 5590),
    ("进口牛油果 6个装", 3690),
    ("水果捞混合果切 500g", 1990),
];

/// Review texts by star count (index 0 is one star).
pub(super) const REVIEWS: [&[&str]; 5] = [
    &[
        "收到就烂了一半,太失望了",
        "完全不新鲜,有股怪味,申请退款也没人理",
        "发错货了,联系客服一直不回",
        "榴莲开出来是生的,根本没法吃",
        "物流五天才到,全部捂坏了,差评",
    ],
    &[
        "蓝莓个头太小了,和图片差距有点大",
        "有好几个磕碰的,客服回复很慢",
        "不太甜,有点酸,不会再买了",
        "到货时已经有点软了,放了两天就坏了",
        "分量不足,称了一下少了半斤",
    ],
    &[
        "一般般吧,没有想象中甜",
        "个头大小不一,味道中规中矩",
        "物流有点慢,水果还算新鲜",
        "和图片有点差距,凑合吃",
        "价格偏贵,品质一般",
    ],
    &[
        "整体不错,有一两个稍微软了一点",
        "味道挺好的,就是物流慢了一天",
        "甜度可以,个头比预期小一点点",
        "性价比还行,会考虑回购",
        "包装完好,口感不错,酸甜适中",
    ],
    &[
        "水果很新鲜,个头大,甜度刚刚好,家里老人孩子都爱吃",
        "第二次回购了,品质一如既往的好",
        "包装很用心,冷链到货还是冰冰的,一个坏果都没有",
        "物流超快,隔天就到了",
        "比超市买的还甜,性价比很高",
        "客服态度很好,有问必答",
        "送人的,朋友说很好吃,下次还来",
        "果子很大很饱满,汁水很多",
        "吃了一个就停不下来,已经推荐给同事了",
        "包装精美,送礼很有面子",
    ],
];

/// Emoji appended to some texts, by sentiment (negative, neutral, positive).
pub(super) const EMOJI: [&[&str]; 3] = [
    &["😡", "😞", "🙏", "💔"],
    &["🤔", "😐"],
    &["👍", "😋", "❤️", "🎉", "🥰"],
];

/// What a buyer writes when revising a bad review upwards.
pub(super) const REVISED_UP: &[&str] = &[
    "商家主动联系退了差价,态度很好,改成四星。",
    "客服帮忙补发了,新到的很新鲜,追加好评",
    "处理很及时,给商家点个赞👍",
    "和商家沟通后问题解决了,改个好评",
];

/// What a buyer writes when revising a bad review and staying unhappy.
pub(super) const REVISED_STILL_BAD: &[&str] =
    &["追评:补发的也不行,还是很失望", "商家说会处理但一直没下文😞"];

/// What a buyer writes when revising a three-star review upwards.
pub(super) const REVISED_NEUTRAL_UP: &[&str] =
    &["追评:放了两天更甜了,改五星", "后熟之后味道很棒,追加好评😋"];

/// The merchant's first replies, by sentiment (negative, neutral, positive).
pub(super) const REPLIES: [&[&str]; 3] = [
    &[
        "亲,非常抱歉给您带来不好的体验!我们已为您登记退款,请留意微信支付通知。",
        "非常抱歉,已安排补发,请注意查收。",
        "抱歉让您失望了,客服会尽快联系您处理,请保持电话畅通🙏",
    ],
    &[
        "感谢反馈,我们会继续改进品质和物流",
        "亲,水果是自然生长的,个头会有差异,请多包涵",
    ],
    &[
        "感谢亲的支持与认可,期待您再次光临鲜果优选❤️",
        "谢谢您的好评!我们会继续严选好果",
        "亲的满意是我们最大的动力,祝您生活愉快~",
    ],
];

/// The merchant's follow-ups under its first reply.
pub(super) const MERCHANT_FOLLOW_UPS: &[&str] = &[
    "退款已原路退回,预计1-3个工作日到账。",
    "另外给您补发了一张20元无门槛优惠券,已放入您的卡包。",
    "我们已更换冷链物流合作方,后续订单全程冷藏配送,再次向您致歉🙏",
    "有任何问题随时联系我们哦~",
];

/// The buyer's follow-ups under the merchant's reply.
pub(super) const BUYER_FOLLOW_UPS: &[&str] = &[
    "收到退款了,谢谢",
    "补发的收到了,这次不错",
    "希望下次注意包装",
    "好的,谢谢客服",
];

/// Buyers' nicknames.
pub(super) const NICKNAMES: &[&str] = &[
    "陈阿姨",
    "豆豆妈",
    "小鱼儿",
    "阿杰",
    "静静",
    "大橙子",
    "Momo",
    "林小姐",
    "老王",
    "甜甜圈",
    "晴天☀️",
    "快乐的胖子",
    "Lily",
    "张先生",
    "吃货一枚",
    "小刘",
    "芒果不忙",
    "果果爸",
    "Sunny",
    "一颗柠檬🍋",
];

/// The mini program's name.
pub(super) const SHOP_NAME: &str = "鲜果优选商城";

/// The mini program's avatar.
pub(super) const SHOP_AVATAR: &str =
    "http://wx.qlogo.cn/mmhead/Q3auHgzwzM5kL0yV8Xg7bYk9mRnTqJ2vWc4dHsPzE6uA/0";
