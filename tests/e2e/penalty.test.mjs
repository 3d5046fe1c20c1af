// Browser tests of the penalty discretion pages in headless Chromium, zh-CN.
// Run through `run.sh`, which starts `frontline demo` and passes FRONTLINE_URL.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const BASE = (process.env.FRONTLINE_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
const PASSWORD = process.env.FRONTLINE_DEMO_PASSWORD || "demo-password";
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, "test-results");
mkdirSync(RESULTS, { recursive: true });

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
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

test("an officer (s1.investigator) finds article 51 by words, computes a recommendation and reads its explanation", async () => {
  const { context, page } = await signIn("s1.investigator");
  try {
    await page.goto(`${BASE}/`);
    await Promise.all([page.waitForURL(`${BASE}/penalty`), page.click("nav.sidenav a[href='/penalty']")]);
    assert.equal(await text(page, "h1"), "治安处罚裁量计算器");
    assert.equal(await page.getAttribute("html", "lang"), "zh-CN");

    // Search by words, then pick the article (the picker opens it).
    await page.fill("#q", "殴打");
    await Promise.all([page.waitForURL(/\/penalty\?q=/), page.press("#q", "Enter")]);
    const options = await page.locator("#article_pick option").allInnerTexts();
    assert.ok(options.some((o) => o.startsWith("第51条")), options.join("|"));
    await Promise.all([page.waitForURL(/article=51/), page.selectOption("#article_pick", "51")]);
    assert.match(await text(page, "#penalty-form h2"), /第51条/);

    // Only 51-1's base-tier situations are offered for the base tier.
    const visible = await page.locator("#situation optgroup:not([hidden])").count();
    assert.equal(visible, 1, "the situation list follows violation and tier");

    await page.fill("#person_age", "30");
    await page.fill("#offence_date", "2026-03-01");
    await page.check("input[name=circumstances][value=first_violation]");
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("#penalty-form button[type=submit]")]);
    const rec = await text(page, "[data-testid=recommended]");
    assert.match(rec, /行政拘留 \d+ 日/);
    assert.match(rec, /罚款 [\d,]+ 元/);
    assert.match(await text(page, "[data-testid=range]"), /行政拘留 5–10 日/);
    const steps = await page.locator("[data-testid=explain] tbody tr").count();
    assert.ok(steps >= 3, `explanation has ${steps} steps`);
    const explain = await text(page, "[data-testid=explain]");
    assert.match(explain, /治安管理处罚法（2025年修订）第51条第1款/);
    assert.match(explain, /初次违反治安管理/);
    assert.equal(await page.locator("input[type=checkbox][value=first_violation]").isChecked(), true, "the form keeps what was chosen");
    await page.screenshot({ path: join(RESULTS, "penalty-calculator-zh.png"), fullPage: true });

    // The print view: an A4 note with the bureau's name and no navigation.
    const [note] = await Promise.all([context.waitForEvent("page"), page.click("[data-testid=print-note]")]);
    await note.waitForLoadState();
    assert.match(await text(note, "[data-testid=bureau]"), /公安局/);
    assert.equal(await note.locator("nav.sidenav").count(), 0);
    assert.match(await text(note, "[data-testid=print-recommended]"), /行政拘留/);
    await note.emulateMedia({ media: "print" });
    assert.equal(await note.locator(".print-tools").isVisible(), false, "the buttons do not print");
    await note.screenshot({ path: join(RESULTS, "penalty-note-print.png"), fullPage: true });
    await note.pdf({ path: join(RESULTS, "penalty-note.pdf"), preferCSSPageSize: true });
    const pdf = readFileSync(join(RESULTS, "penalty-note.pdf")).toString("latin1");
    const box = pdf.match(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/);
    assert.ok(box, "the PDF has a page size");
    assert.ok(Math.abs(Number(box[1]) - 595.3) < 2 && Math.abs(Number(box[2]) - 841.9) < 2, `A4 from @page: ${box[0]}`);
    assert.equal((pdf.match(/\/Type \/Page[^s]/g) || []).length, 1, "the note fits on one A4 page");

    // A bad age: the message beside the field, the form kept.
    await page.fill("#person_age", "300");
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("#penalty-form button[type=submit]")]);
    assert.match(await text(page, "#person_age-error"), /0 到 120/);
    assert.equal(await page.inputValue("#person_age"), "300");
    assert.equal(await page.locator("[data-testid=penalty-result]").count(), 0);

    // A 17-year-old: detention is decided but not executed only for a first violation
    // (第23条第1款第2项); "not established" is read in the person's favour.
    await page.fill("#person_age", "17");
    await page.selectOption("#person_first_offence", "no");
    await page.check("#person_foreigner");
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("#penalty-form button[type=submit]")]);
    assert.match(await text(page, "[data-testid=recommended]"), /（执行）/);
    assert.match(await text(page, "[data-testid=explain]"), /第10条/, "the foreigner rule is cited");
    assert.equal(await page.inputValue("#person_first_offence"), "no", "the form keeps the answer");
    await page.selectOption("#person_first_offence", "");
    await page.click("#penalty-form button[type=submit]");
    // The old result is on screen until the new page replaces it.
    await page.locator("[data-testid=recommended]", { hasText: "决定但不执行" }).waitFor();
  } finally {
    await context.close();
  }
});

test("a legal reviewer (legal) browses the catalog: articles, tiers, situations, circumstances with the cited article", async () => {
  const { context, page } = await signIn("legal");
  try {
    await page.goto(`${BASE}/`);
    await Promise.all([page.waitForURL(`${BASE}/penalty/catalog`), page.click("nav.sidenav a[href='/penalty/catalog']")]);
    assert.equal(await text(page, "h1"), "裁量基准目录");
    const rows = await page.locator("[data-testid=article-list] tbody tr").count();
    assert.ok(rows >= 60, `${rows} articles listed`);
    assert.match(await text(page, "[data-testid=statutory-list]"), /第20条/);
    assert.match(await text(page, "[data-testid=discretionary-list]"), /first_violation/);

    await page.fill("#q", "51");
    await Promise.all([page.waitForURL(/q=51/), page.press("#q", "Enter")]);
    await Promise.all([page.waitForURL(/article=51/), page.click("[data-testid=article-list] a[href='/penalty/catalog?article=51']")]);
    assert.match(await text(page, "h1"), /^第51条/);
    const v = page.locator("[data-testid=violation]").first();
    assert.match(await v.innerText(), /治安管理处罚法（2025年修订）第51条第1款/);
    assert.match(await v.innerText(), /一般情形/);
    assert.match(await v.innerText(), /51-1\.base\.2/);
    await page.screenshot({ path: join(RESULTS, "penalty-catalog-zh.png"), fullPage: false });

    // Not an administrator: no standards page.
    assert.equal(await page.locator("nav.sidenav a[href='/penalty/standards']").count(), 0);
    const r = await page.goto(`${BASE}/penalty/standards`);
    assert.equal(r.status(), 403);
  } finally {
    await context.close();
  }
});

test("an administrator sees a refused standard's line beside the text; nothing is activated", async () => {
  const { context, page } = await signIn("admin");
  try {
    await page.goto(`${BASE}/penalty/standards`);
    assert.equal(await text(page, "h1"), "裁量基准管理");
    assert.match(await text(page, "[data-testid=standard-in-use]"), /系统内置/);
    await page.fill("#text", 'name_zh = "坏"\nname_en = "bad"\nversion = "x"\nlaw_version = "2025"\n[policy]\nnot_a_field = 1\n');
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("[data-testid=standard-upload] button[type=submit]")]);
    assert.match(await text(page, "[data-testid=standard-error]"), /第 \d+ 行/);
    assert.match(await text(page, ".error-summary"), /裁量基准内容/);
    assert.match(await page.inputValue("#text"), /not_a_field/, "the text is kept");
    assert.match(await text(page, "[data-testid=standard-in-use]"), /系统内置/, "nothing activated");
    await page.screenshot({ path: join(RESULTS, "penalty-standard-error-zh.png"), fullPage: true });
  } finally {
    await context.close();
  }
});

test("partners have no calculator", async () => {
  const { context, page } = await signIn("street1");
  try {
    assert.equal(await page.locator("nav.sidenav a[href='/penalty']").count(), 0);
    const r = await page.goto(`${BASE}/penalty`);
    assert.equal(r.status(), 403);
  } finally {
    await context.close();
  }
});

test("on a 375px phone the calculator fits without sideways scrolling", async () => {
  const { context, page } = await signIn("s1.desk", { viewport: { width: 375, height: 800 } });
  try {
    await page.goto(`${BASE}/penalty?article=26`);
    assert.match(await text(page, "#penalty-form h2"), /第26条/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);
    await page.screenshot({ path: join(RESULTS, "penalty-phone.png"), fullPage: false });
  } finally {
    await context.close();
  }
});
