/** Only web addresses become links: a `javascript:` profile URL would run on click. */
export const isWebUrl = (u: string | undefined): u is string => !!u && /^https?:\/\//i.test(u);

/**
 * Where one of the original's page links leads. Its pages were routed in the fragment
 * (`/#/mosaic/<id>`, and its replies linked `mosaicweb` + `<media_id>.jpg`), which never reaches
 * the server: the home page's script sends such a visitor on to the mosaic's page.
 * @example originalLinkTarget('#/mosaic/123456.jpg') // '/mosaics/123456'
 */
export function originalLinkTarget(hash: string): string | undefined {
  const m = /^#!?\/mosaic\/([\w-]{1,128})(?:\.jpe?g)?\/?$/.exec(hash);
  return m ? `/mosaics/${m[1]}` : undefined;
}
