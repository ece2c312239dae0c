/** Only web addresses become links: a `javascript:` profile URL would run on click. */
export const isWebUrl = (u: string | undefined): u is string => !!u && /^https?:\/\//i.test(u);
