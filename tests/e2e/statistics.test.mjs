// Browser suite, incident statistics (issue 9): the command centre opens 警情统计 from the
// navigation, narrows to one station and one category and sees the figures follow; the
// CSV link downloads the table; a new incident counts at once (the rollups are written
// with it); a station chief sees only the station; a phone-width page stacks its charts.
// Run by run.sh against `frontline demo`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
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

async function signIn(username, options = {}) {
  const context = await browser.newContext({ locale: "zh-CN", acceptDownloads: true, ...options });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill("#username", username);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.press("#password", "Enter")]);
  return { context, page };
}

const total = async (page) => Number(await page.getByTestId("total-incidents").innerText());

test("the command centre narrows the figures, downloads them, and sees a new call counted", async () => {
  const centre = await signIn("command");
  const desk = await signIn("s1.desk");
  try {
    const page = centre.page;
    await page.click("nav.sidenav >> text=警情统计");
    await page.waitForURL(/\/statistics$/);
    await assert.doesNotReject(page.getByRole("heading", { level: 1, name: /警情统计/ }).waitFor());
    const all = await total(page);
    assert.ok(all > 1000, `the demo year is counted: ${all}`);
    assert.equal(await page.locator("[data-testid=chart-heat] svg rect").count(), 168);
    assert.ok((await page.getByTestId("target-share").innerText()).endsWith("%"));

    // One station, one main category: fewer incidents, one unit in the table.
    await page.selectOption("#unit_id", { label: "城关派出所" });
    await page.selectOption("#category", "criminal");
    await page.selectOption("#group_by", "unit,category");
    await Promise.all([page.waitForURL(/unit_id=/), page.click("[data-testid=stats-filter] button[type=submit]")]);
    const narrowed = await total(page);
    assert.ok(narrowed > 0 && narrowed < all, `${narrowed} of ${all}`);
    const units = await page.locator("[data-testid=stats-row] td:first-child").allInnerTexts();
    assert.ok(units.length > 0 && units.every((u) => u === "城关派出所"), units.join(","));
    const rows = await page.locator("[data-testid=stats-row] td:nth-child(3)").allInnerTexts();
    assert.equal(rows.reduce((a, b) => a + Number(b), 0), narrowed, "the table adds up to the total");

    // The CSV file holds the same rows.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=stats-export]")]);
    const csv = readFileSync(await download.path(), "utf8");
    const lines = csv.trim().split(/\r?\n/);
    assert.match(lines[0], /^\uFEFF?单位,类别代码,类别,警情数/);
    assert.equal(lines.length - 1, rows.length);
    assert.ok(lines.slice(1).every((l) => l.startsWith("城关派出所,criminal.")), lines.join("\n"));

    // A call filed now is in today's figures at once.
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
    const url = `${BASE}/statistics?from=${today}&to=${today}&group_by=unit`;
    await page.goto(url);
    const before = await total(page);
    await desk.page.goto(`${BASE}/incidents/new`);
    await desk.page.selectOption("#category", "dispute.neighbour");
    await desk.page.fill("#address", "城关镇统计路1号");
    await desk.page.fill("#caller_name", "赵敏");
    await desk.page.fill("#caller_phone", "13912341234");
    await desk.page.fill("#narrative", "报警人称邻居深夜装修。");
    await Promise.all([desk.page.waitForURL(/\?created=1$/), desk.page.click("#intake-form button[type=submit]")]);
    await page.goto(url);
    assert.equal(await total(page), before + 1);
    await page.screenshot({ path: join(RESULTS, "statistics-command.png"), fullPage: false });
  } finally {
    await centre.context.close();
    await desk.context.close();
  }
});

test("a station chief sees the station only, and a refused range keeps the page", async () => {
  const { context, page } = await signIn("s1.chief");
  try {
    await page.goto(`${BASE}/statistics?group_by=unit`);
    assert.equal(await page.locator("#unit_id").count(), 0, "no station picker for one station");
    const units = await page.locator("[data-testid=stats-row] td:first-child").allInnerTexts();
    assert.ok(units.length > 0 && units.every((u) => u === "城关派出所"), units.join(","));
    await page.fill("#from", "2026-11-22");
    await page.fill("#to", "2026-11-01");
    await page.click("[data-testid=stats-filter] button[type=submit]");
    await assert.doesNotReject(page.getByText("结束日期不能早于开始日期").first().waitFor());
    assert.ok((await total(page)) > 0, "the default figures are still shown");
  } finally {
    await context.close();
  }
});

test("on a phone the charts stack and nothing overflows", async () => {
  const { context, page } = await signIn("s1.chief", { viewport: { width: 390, height: 844 }, isMobile: true });
  try {
    await page.goto(`${BASE}/statistics`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `horizontal overflow ${overflow}px`);
    const boxes = await page.locator(".stat-charts > section").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().left));
    assert.ok(boxes.every((x) => Math.abs(x - boxes[0]) < 2), `one column: ${boxes}`);
    await page.screenshot({ path: join(RESULTS, "statistics-phone.png"), fullPage: true });
  } finally {
    await context.close();
  }
});
