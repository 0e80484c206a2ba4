// mermaid-cli brings puppeteer, whose install step would download Chrome. The npm registry is the
// only network CI has, so the diagrams use Debian's chromium instead (scripts/puppeteer-config.json).
module.exports = { skipDownload: true };
