// Browser suite, Chinese full-text search (issue 9, item 10): a desk officer searches
// the demo data for a two-character term with a status filter; every row found is in
// that status and its narrative or address holds the term; paging keeps the search; a
// one-character term is refused beside the field. Run by run.sh against a fresh
// `frontline demo` server (the demo builds its search index before it serves).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const BASE = (process.env.FRONTLINE_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
const PASSWORD = process.env.FRONTLINE_DEMO_PASSWORD || "demo-password";
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const RESULTS = join(dirname(fileURLToPath(import.meta.url)), "test-results");
mkdirSync(RESULTS, { recursive: true });

let browser;

before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
});
after(async () => {
  await browser?.close();
});

async function signIn(username) {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill("#username", username);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.press("#password", "Enter")]);
  return { context, page };
}

const totalOf = async (page) => Number((await page.locator("[data-testid=total]").innerText()).replace(/[^0-9]/g, ""));

test("a desk officer searches for 电瓶 among closed incidents", async () => {
  const { context, page } = await signIn("s1.desk");
  try {
    await page.goto(`${BASE}/incidents`);
    const all = await totalOf(page);
    await page.fill("[data-testid=search]", "电瓶");
    await page.selectOption("#status", "closed");
    await Promise.all([page.waitForURL(/q=/), page.click(".filter-actions button[type=submit]")]);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get("q"), "电瓶");
    assert.equal(url.searchParams.get("status"), "closed");
    // The form keeps what was asked.
    assert.equal(await page.inputValue("[data-testid=search]"), "电瓶");
    assert.equal(await page.inputValue("#status"), "closed");
    const found = await totalOf(page);
    assert.ok(found > 0 && found < all, `found ${found} of ${all}`);
    const statuses = await page.locator("[data-testid=status]").allInnerTexts();
    assert.ok(statuses.length > 0);
    for (const s of statuses) assert.equal(s.trim(), "已结警");
    await page.screenshot({ path: join(RESULTS, "search-results.png"), fullPage: true });

    // Each row holds the term in its narrative or its address (checked on three).
    const links = await page.locator("[data-testid=incident-table] tbody th a").evaluateAll((as) => as.map((a) => a.href));
    for (const href of links.slice(0, 3)) {
      const detail = await context.newPage();
      await detail.goto(href);
      const narrative = await detail.locator("[data-testid=narrative]").innerText();
      const body = await detail.locator("main").innerText();
      assert.ok(narrative.includes("电瓶") || body.includes("电瓶"), href);
      await detail.close();
    }

    // Paging keeps the search and the filter.
    const next = page.locator("a[rel=next]");
    if (await next.count()) {
      await Promise.all([page.waitForLoadState("load"), next.click()]);
      const u2 = new URL(page.url());
      assert.equal(u2.searchParams.get("q"), "电瓶");
      assert.equal(u2.searchParams.get("status"), "closed");
      assert.equal(u2.searchParams.get("page"), "2");
    }

    // One character is refused beside the field, the rest of the form kept.
    await page.goto(`${BASE}/incidents?status=closed`);
    await page.fill("[data-testid=search]", "盗");
    await Promise.all([page.waitForLoadState("load"), page.click(".filter-actions button[type=submit]")]);
    assert.match(await page.locator("#q-error").innerText(), /至少 2 个字/);
    assert.equal(await page.getAttribute("[data-testid=search]", "aria-invalid"), "true");
    assert.equal(await page.inputValue("#status"), "closed");
  } finally {
    await context.close();
  }
});
