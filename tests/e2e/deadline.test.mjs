// Browser tests of the legal-period pages: the deadline calculator, the rule
// catalog and the holiday calendars. Run through `run.sh` (it starts `frontline demo`
// and passes its address in FRONTLINE_URL), after ui.test.mjs.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const BASE = (process.env.FRONTLINE_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
const PASSWORD = process.env.FRONTLINE_DEMO_PASSWORD || "demo-password";
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, "test-results");
mkdirSync(RESULTS, { recursive: true });

// A test calendar for 2027 (not the official arrangement).
const CAL_2027 = `year = 2027
source = "测试用 2027 年日历 (test calendar)"

[[holiday]]
name_zh = "元旦"
name_en = "New Year's Day"
first = 2027-01-01
last = 2027-01-03
makeup_workdays = []

[[holiday]]
name_zh = "国庆节"
name_en = "National Day"
first = 2027-10-01
last = 2027-10-07
makeup_workdays = [2027-09-26, 2027-10-09]
`;
// 2027-10-02 is both inside the National Day block and listed as a make-up working day.
const CAL_BAD = CAL_2027.replace("[2027-09-26, 2027-10-09]", "[2027-10-02]");

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
});

async function signIn(username, options = {}) {
  const context = await browser.newContext({ locale: "zh-CN", ...options });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill("#username", username);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.press("#password", "Enter")]);
  return { context, page };
}

async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}

/** Fills the calculator and submits it; returns the HTTP status of the answer page. */
async function compute(page, { start, amount = "", unit = "d", rule = "", custody = false }) {
  await page.fill("#start", start);
  await page.fill("#amount", amount);
  await page.selectOption("#unit", unit);
  if (rule) await page.selectOption("#rule", rule);
  else await page.selectOption("#rule", { index: 0 });
  if (custody) await page.check("#custody");
  else await page.uncheck("#custody");
  const [resp] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === "/deadlines" && r.request().resourceType() === "document"),
    page.click("#deadline-form button[type=submit]"),
  ]);
  await page.waitForLoadState("domcontentloaded");
  return resp.status();
}

test("legal computes a period across National Day and sees the roll-over step", async () => {
  const { context, page } = await signIn("legal");
  try {
    await page.goto(`${BASE}/`);
    assert.equal(await page.locator("a.shortcut[href='/deadlines']").count(), 1, "a shortcut on the home page");
    await Promise.all([page.waitForURL(`${BASE}/deadlines`), page.click("nav.sidenav a[href='/deadlines']")]);
    assert.equal(await text(page, "h1"), "期限计算器");
    assert.match(await page.inputValue("#start"), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "start defaults to now");
    const groups = await page.locator("#rule optgroup").evaluateAll((gs) => gs.map((g) => g.label));
    assert.deepEqual(groups, ["行政（治安）案件", "刑事案件"]);

    // 2026-09-30 + 1 day: the last day is National Day; the period ends with 2026-10-08.
    assert.equal(await compute(page, { start: "2026-09-30T10:00", amount: "1" }), 200);
    assert.equal(await page.getAttribute("[data-testid=due]", "data-due"), "2026-10-09T00:00:00+08:00");
    assert.match(await text(page, "[data-testid=due]"), /2026-10-09 00:00（即 2026-10-08 24:00）/);
    const steps = page.locator("[data-testid=explain] li");
    assert.ok((await steps.count()) >= 4, "the explanation is a numbered list of steps");
    assert.equal(await page.locator("[data-testid=explain]").evaluate((e) => e.tagName), "OL");
    const roll = await text(page, "[data-testid=explain] li[data-kind=roll_over]");
    assert.match(roll, /国庆节/);
    assert.match(roll, /2026-10-08/);
    assert.equal(await page.inputValue("#amount"), "1", "the question stays in the form");
    assert.match(page.url(), /start=2026-09-30T10%3A00/, "the question is in the URL");
    await page.screenshot({ path: join(RESULTS, "deadline-zh.png"), fullPage: true });

    // Custody: no roll-over.
    assert.equal(await compute(page, { start: "2026-09-30T10:00", amount: "1", custody: true }), 200);
    assert.equal(await page.getAttribute("[data-testid=due]", "data-due"), "2026-10-02T00:00:00+08:00");
    assert.equal(await page.locator("[data-testid=explain] li[data-kind=roll_over]").count(), 0);

    // A catalog rule instead of a period.
    assert.equal(await compute(page, { start: "2026-09-01T15:00", rule: "admin.case_handling" }), 200);
    assert.equal(await page.getAttribute("[data-testid=due]", "data-due"), "2026-10-09T00:00:00+08:00");

    // A year without a calendar: the error is on the start field, linked from the summary.
    assert.equal(await compute(page, { start: "2026-12-31T10:00", amount: "1" }), 422);
    assert.match(await text(page, "[data-testid=start-error]"), /2027 年节假日安排尚未载入/);
    assert.equal(await page.locator(".error-summary a[href='#start']").count(), 1);
    assert.equal(await page.locator("[data-testid=deadline-result]").count(), 0);

    // No period and no rule.
    assert.equal(await compute(page, { start: "2026-09-30T10:00" }), 422);
    assert.equal(await page.locator(".error-summary a[href='#amount']").count(), 1);

    // The rule catalog: both kinds, with sources.
    await Promise.all([page.waitForURL(`${BASE}/deadline-rules`), page.click("nav.sidenav a[href='/deadline-rules']")]);
    assert.equal(await text(page, "h1"), "期限规则目录");
    assert.ok((await page.locator("[data-testid=rules-administrative] tbody tr").count()) > 10);
    assert.ok((await page.locator("[data-testid=rules-criminal] tbody tr").count()) > 10);
    assert.match(await text(page, "#rule-admin\\.case_handling"), /治安管理处罚法/);
    await page.screenshot({ path: join(RESULTS, "deadline-rules-zh.png"), fullPage: false });
    // Calendars are for administrators only.
    assert.equal(await page.locator("nav.sidenav a[href='/calendars']").count(), 0);
    const resp = await page.goto(`${BASE}/calendars`);
    assert.equal(resp.status(), 403);
  } finally {
    await context.close();
  }
});

test("on a 375px phone the deadline pages fit, and the calculator answers in English too", async () => {
  const { context, page } = await signIn("admin", {
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  try {
    for (const path of ["/deadlines?start=2026-09-30T10%3A00&amount=1&unit=d&go=1", "/deadline-rules", "/calendars"]) {
      await page.goto(`${BASE}${path}`);
      const { scroll, width } = await page.evaluate(() => ({
        scroll: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
        width: window.innerWidth,
      }));
      assert.ok(scroll <= width, `${path}: page is ${scroll}px wide in a ${width}px viewport`);
    }
    await page.goto(`${BASE}/deadlines?start=2026-09-30T10%3A00&amount=1&unit=d&go=1`);
    await page.screenshot({ path: join(RESULTS, "deadline-phone.png"), fullPage: true });
    await Promise.all([page.waitForSelector("html[lang=en]"), page.click("[data-testid=lang-switch]")]);
    assert.equal(await text(page, "h1"), "Deadline calculator");
    assert.match(await text(page, "[data-testid=explain] li[data-kind=roll_over]"), /National Day/);
    await page.click("[data-testid=lang-switch]");
  } finally {
    await context.close();
  }
});

test("a partner sees no deadline pages", async () => {
  const { context, page } = await signIn("street1");
  try {
    assert.equal(await page.locator("nav.sidenav a[href='/deadlines']").count(), 0);
    const resp = await page.goto(`${BASE}/deadlines`);
    assert.equal(resp.status(), 403);
  } finally {
    await context.close();
  }
});

test("admin uploads an invalid calendar and sees the error, then a valid 2027", async () => {
  const { context, page } = await signIn("admin");
  try {
    await Promise.all([page.waitForURL(`${BASE}/calendars`), page.click("nav.sidenav a[href='/calendars']")]);
    assert.equal(await text(page, "h1"), "节假日日历");
    const y2026 = page.locator("[data-testid=calendar-2026]");
    assert.match(await y2026.innerText(), /国庆节/);
    assert.match(await y2026.innerText(), /2026-10-10/, "make-up working days are listed");
    assert.equal(await page.locator("[data-testid=calendar-2027]").count(), 0);

    await page.fill("#text", CAL_BAD);
    const [bad] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.click("[data-testid=calendar-form] button[type=submit]"),
    ]);
    assert.equal(bad.status(), 422);
    await page.waitForLoadState("domcontentloaded");
    assert.match(await text(page, "[data-testid=text-error]"), /2027-10-02/);
    assert.equal(await page.locator(".error-summary a[href='#text']").count(), 1);
    assert.equal(await page.inputValue("#text"), CAL_BAD, "the pasted text is kept");
    assert.equal(await page.locator("[data-testid=calendar-2027]").count(), 0);
    await page.screenshot({ path: join(RESULTS, "calendar-error-zh.png"), fullPage: true });

    await page.fill("#text", CAL_2027);
    await Promise.all([page.waitForURL(`${BASE}/calendars?uploaded=2027`), page.click("[data-testid=calendar-form] button[type=submit]")]);
    assert.match(await text(page, "[data-testid=calendar-uploaded]"), /2027 年节假日日历已上传/);
    const y2027 = page.locator("[data-testid=calendar-2027]");
    assert.match(await y2027.innerText(), /管理员上传/);
    assert.match(await y2027.innerText(), /2027-09-26/);

    // 2027 is computable at once: 2026-12-31 + 1 day rolls over New Year to 2027-01-04.
    await page.goto(`${BASE}/deadlines`);
    assert.equal(await compute(page, { start: "2026-12-31T10:00", amount: "1" }), 200);
    assert.equal(await page.getAttribute("[data-testid=due]", "data-due"), "2027-01-05T00:00:00+08:00");
  } finally {
    await context.close();
  }
});
