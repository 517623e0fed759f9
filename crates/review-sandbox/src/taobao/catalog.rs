//! The emulated fruit shop's fixed material: items, buyer names and the fragments rate texts
//! are assembled from. Data only; the choices are made by the seeded generator in `data.rs`.

/// One item of the shop: its title and price in fen.
pub(crate) struct Item {
    /// `item_title`.
    pub(crate) title: &'static str,
    /// `item_price`, in fen, so that `"0.01"` and `"200.07"` are exact.
    pub(crate) price_fen: u64,
}

/// The freight top-up link, priced 0.01 yuan: the smallest price Taobao writes.
pub(crate) const FREIGHT_LINK: Item = Item {
    title: "运费补差价专用链接 邮费补拍",
    price_fen: 1,
};

/// The mango at 200.07 yuan, the documents' example price (two places, a non-zero fen).
pub(crate) const MANGO: Item = Item {
    title: "四川攀枝花凯特芒果 10斤装 单果400g+ 当季现摘",
    price_fen: 20_007,
};

/// The rest of the shop's items.
pub(crate) const ITEMS: &[Item] = &[
    Item {
        title: "智利进口车厘子 JJ级 2斤礼盒装 顺丰冷链",
        price_fen: 15_900,
    },
    Item {
        title: "云南高原蓝莓 125g*4盒 鲜果",
        price_fen: 3_990,
    },
    Item {
        title: "陕西周至徐香猕猴桃 24个装",
        price_fen: 4_580,
    },
    Item {
        title: "泰国金枕头榴莲 整个 4-5斤",
        price_fen: 16_800,
    },
    Item {
        title: "赣南脐橙 10斤装 精选中果",
        price_fen: 5_980,
    },
    Item {
        title: "安岳黄柠檬 12个装",
        price_fen: 2_990,
    },
    Item {
        title: "海南贵妃芒 5斤装 新鲜当季",
        price_fen: 3_680,
    },
    Item {
        title: "新疆阿克苏冰糖心苹果 10斤 脆甜多汁",
        price_fen: 4_990,
    },
    Item {
        title: "福建平和红心蜜柚 4个装",
        price_fen: 3_290,
    },
    Item {
        title: "广西武鸣沃柑 10斤 薄皮多汁",
        price_fen: 3_990,
    },
    Item {
        title: "丹东99红颜草莓 3斤 礼盒装",
        price_fen: 12_800,
    },
    Item {
        title: "越南红心火龙果 5斤 大果",
        price_fen: 3_190,
    },
    Item {
        title: "四川不知火丑橘 5斤装",
        price_fen: 3_550,
    },
    Item {
        title: "新西兰佳沛金奇异果 22-25个 原箱",
        price_fen: 16_900,
    },
    Item {
        title: "会理突尼斯软籽石榴 5斤",
        price_fen: 4_200,
    },
    Item {
        title: "山西隰县玉露香梨 5斤 精品",
        price_fen: 3_960,
    },
    Item {
        title: "广东妃子笑荔枝 3斤 产地直发",
        price_fen: 6_990,
    },
    Item {
        title: "浙江仙居东魁杨梅 2斤 冰袋冷链",
        price_fen: 8_800,
    },
    Item {
        title: "中秋水果礼盒 8种鲜果 送礼佳品",
        price_fen: 19_900,
    },
    Item {
        title: "试吃装 当季随机水果 1份",
        price_fen: 990,
    },
    Item {
        title: "海南树上熟木瓜 5斤",
        price_fen: 2_880,
    },
    Item {
        title: "山东烟台红富士苹果 5斤",
        price_fen: 2_590,
    },
];

/// Latin nick roots; a digit is appended, so masks read like `b**7`.
pub(crate) const LATIN_NICKS: &[&str] = &[
    "bob", "tina", "jason", "lucky", "kiwi", "mango", "sunny", "leo", "tb_lemon", "amy", "coco",
    "mike", "yoyo", "lily", "tom",
];

/// Chinese nick roots, masked like `小***子`.
pub(crate) const CHINESE_NICKS: &[&str] = &[
    "小橙子",
    "暴躁小王",
    "不吃香菜",
    "陈阿姨",
    "橙子爱好者",
    "吃货一枚",
    "快乐的猪",
    "甜甜圈",
    "爱吃水果的猫",
    "阿杰",
    "王大锤",
    "草莓味的夏天",
    "张小凡",
    "晴天娃娃",
    "一颗柠檬",
];

/// Taobao's text for a buyer who did not rate in time.
pub(crate) const DEFAULT_GOOD: &str = "评价方未及时做出评价,系统默认好评!";

/// The first half of a good rate.
pub(crate) const GOOD_OPENERS: &[&str] = &[
    "很新鲜",
    "非常甜",
    "物流超快",
    "第二次回购了",
    "包装很用心",
    "个头很大",
    "性价比很高",
    "味道不错",
    "家里人都说好吃",
    "品质一直很稳定",
    "比超市便宜还好吃",
    "冷链到货还是冰的",
];

/// The second half of a good rate.
pub(crate) const GOOD_DETAILS: &[&str] = &[
    "每个都套了网套",
    "顺丰第二天就到了",
    "坏果包赔很放心",
    "客服态度也很好",
    "孩子特别喜欢",
    "会一直回购的",
    "水分很足",
    "果肉细腻",
    "没有一个坏的",
    "送人也很有面子",
];

/// The halves of a neutral rate.
pub(crate) const NEUTRAL_PARTS: &[&str] = &[
    "一般般吧",
    "个头比图片小",
    "味道还可以",
    "有几个有点软了",
    "物流有点慢,等了四天",
    "甜度一般",
    "和上次买的差距有点大",
    "包装有点简陋",
];

/// The halves of a bad rate.
pub(crate) const BAD_PARTS: &[&str] = &[
    "到手就是烂的",
    "一股酒味",
    "坏了一半",
    "申请退款商家还拖着不处理",
    "和描述完全不符",
    "快递压坏了",
    "不甜还酸",
    "放了一个礼拜都没软",
    "缺斤少两",
    "客服一直不回消息",
];

/// Emoji that end good rates (the empty one: none).
pub(crate) const GOOD_EMOJI: &[&str] = &["👍", "😋", "❤️", "🍊", "🥭", "🍒", "🎉", "😄", ""];

/// Emoji that end neutral rates.
pub(crate) const NEUTRAL_EMOJI: &[&str] = &["🤷", "😐", "🙂", ""];

/// Emoji that end bad rates.
pub(crate) const BAD_EMOJI: &[&str] = &["😡", "👎", "😤", "💔", ""];

/// The seller's explanations of good rates.
pub(crate) const GOOD_REPLIES: &[&str] = &[
    "感谢亲的支持,欢迎下次再来~",
    "谢谢亲的认可,祝您生活愉快!",
    "亲的满意是我们最大的动力🙏",
    "感谢好评,鲜果优选一直都在❤️",
];

/// The seller's explanations of neutral and bad rates.
pub(crate) const SORRY_REPLIES: &[&str] = &[
    "亲,已为您全额退款,运输导致的问题我们承担,非常抱歉🙏",
    "抱歉让您久等了,我们已经在协调快递加快配送。",
    "亲,坏果拍照联系客服,我们马上给您补发。",
    "非常抱歉给您带来不好的体验,已安排专人跟进。",
    "亲,猕猴桃需要和苹果放在一起催熟两三天哦~",
];

/// The shop's good rates of buyers.
pub(crate) const SELLER_GOOD: &[&str] = &[
    "好买家,欢迎再次光临!",
    "爽快的买家,合作愉快😊",
    "感谢亲的支持,期待再次光临~",
    "收货及时,沟通顺畅,好买家👍",
];

/// The shop's neutral rates of buyers.
pub(crate) const SELLER_NEUTRAL: &[&str] = &["沟通有点不顺畅,希望下次合作愉快。"];

/// The shop's bad rates of buyers.
pub(crate) const SELLER_BAD: &[&str] = &["恶意差评,收到货后要求全额退款不退货。"];

/// A buyer's rare explanation of the shop's rate of them.
pub(crate) const BUYER_REPLIES: &[&str] = &["谢谢老板~", "下次还来😄"];
