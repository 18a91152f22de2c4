// A static export (out/) with browser source maps: HTML pages, _next/static chunks, the
// build manifest and a .map beside every chunk, as a CDN would serve them. A fixed build id
// keeps the committed output the same from build to build.
module.exports = {
  output: "export",
  productionBrowserSourceMaps: true,
  poweredByHeader: false,
  generateBuildId: async () => "leakstop-fixture",
};
