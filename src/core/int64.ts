/** The signed 64-bit range: event payload integers, fold state, EchoLua integers and Q32.32 raw values all live in it. Pure. */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
