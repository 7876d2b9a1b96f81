// shop-time: the shop's time zone, Pakistan's, in which both apps show every moment whatever the browser's own.

/** SHOP_TIME_ZONE is the IANA zone both apps format times in. */
export const SHOP_TIME_ZONE = 'Asia/Karachi';
/** SHOP_ZONE_NAME labels a time that stands alone (a column, a tooltip), so nobody reads it as their own clock. */
export const SHOP_ZONE_NAME = 'PKT';
