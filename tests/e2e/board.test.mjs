// Browser suite, the live board (issue 9): the command centre's board is open; a desk
// officer files an incident in another browser context and the board shows it without
// a reload; the command centre dispatches from the board, and the card moves on, again
// without a reload; a station's desk sees its own station only; a phone-width board.
// Run by run.sh against `frontline demo`.
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

async function signIn(username, options = {}) {
  const context = await browser.newContext({ locale: "zh-CN", ...options });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill("#username", username);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.press("#password", "Enter")]);
  return { context, page };
}

/** Files an incident through the intake page; returns its number. */
async function file(page, address) {
  await page.goto(`${BASE}/incidents/new`);
  await page.selectOption("#category", "public_order.fight");
  await page.fill("#address", address);
  await page.fill("#caller_name", "王建军");
  await page.fill("#caller_phone", "13912340000");
  await page.fill("#narrative", "报警人称路口有人持棍斗殴。");
  await page.selectOption("#district_id", { index: 1 });
  await Promise.all([page.waitForURL(/\?created=1$/), page.click("#intake-form button[type=submit]")]);
  const h1 = await page.locator("h1").first().innerText();
  const m = h1.match(/S\d+-\d{4}-\d{6}/);
  assert.ok(m, `a number in the heading: ${h1}`);
  return m[0];
}

test("a new incident reaches the open board live, and the board dispatches it", async () => {
  const centre = await signIn("command");
  const desk = await signIn("s1.desk");
  try {
    const board = centre.page;
    await board.click("nav.sidenav >> text=警情态势");
    await board.waitForURL(/\/board$/);
    await board.waitForSelector("[data-board][data-live=on]");
    assert.match(await board.locator("[data-testid=board-live]").innerText(), /实时更新中/);
    // Nothing may reload the page: a marker on the window would be lost.
    await board.evaluate(() => { window.__noReload = true; });

    const number = await file(desk.page, "青禾县城关镇解放路 18 号路口");
    const card = board.locator("[data-testid=col-registered] [data-testid=card]", { hasText: number });
    await card.waitFor({ timeout: 5000 });
    assert.match(await card.innerText(), /打架|斗殴/);
    assert.ok(!(await card.innerText()).includes("13912340000"), "no caller number on the board");
    await board.screenshot({ path: join(RESULTS, "board-new-incident.png"), fullPage: true });

    // One click opens the inline dispatch form; send the first officer.
    await card.locator("[data-testid=card-dispatch] summary").click();
    const first = card.locator("input[name=officers]").first();
    await first.waitFor();
    // Sending nobody is refused beside the form, and the card stays.
    await card.locator("button[type=submit]").click();
    await card.locator("[data-form-error]:not([hidden])").waitFor();
    assert.match(await card.locator("[data-form-error]").innerText(), /请选择出警民警/);
    await first.check();
    await card.locator("input[name=patrol_unit]").fill("巡逻二组");
    await card.locator("button[type=submit]").click();
    const moved = board.locator("[data-testid=col-dispatched] [data-testid=card]", { hasText: number });
    await moved.waitFor({ timeout: 5000 });
    assert.match(await moved.innerText(), /巡逻二组/);
    assert.equal(await board.locator("[data-testid=col-registered] [data-testid=card]", { hasText: number }).count(), 0);
    assert.equal(await board.evaluate(() => window.__noReload), true, "the board never reloaded");

    // The incident page agrees.
    await desk.page.goto(`${BASE}/incidents`);
    await desk.page.locator("a", { hasText: number }).first().click();
    assert.equal((await desk.page.locator("[data-testid=status]").innerText()).trim(), "已派警");
    await board.screenshot({ path: join(RESULTS, "board-dispatched.png"), fullPage: true });
  } finally {
    await centre.context.close();
    await desk.context.close();
  }
});

test("a station's desk sees its own station's incidents only", async () => {
  const own = await signIn("s1.desk");
  const other = await signIn("s2.desk");
  try {
    await other.page.goto(`${BASE}/board`);
    await other.page.waitForSelector("[data-board][data-live=on]");
    await own.page.goto(`${BASE}/board`);
    await own.page.waitForSelector("[data-board][data-live=on]");
    const filer = await signIn("s1.desk");
    let number;
    try {
      number = await file(filer.page, "青禾县城关镇人民路 3 号");
    } finally {
      await filer.context.close();
    }
    await own.page.locator("[data-testid=card]", { hasText: number }).waitFor({ timeout: 5000 });
    // Give station 2's board the same time to (wrongly) hear of it.
    await other.page.waitForTimeout(500);
    assert.equal(await other.page.locator("[data-testid=card]", { hasText: number }).count(), 0);
    assert.ok(!(await other.page.content()).includes(number));
  } finally {
    await own.context.close();
    await other.context.close();
  }
});

test("the board is usable on a phone", async () => {
  const { context, page } = await signIn("s1.chief", { viewport: { width: 375, height: 740 } });
  try {
    await page.goto(`${BASE}/board`);
    await page.waitForSelector("[data-board]");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `no sideways scrolling (${width}px)`);
    await page.screenshot({ path: join(RESULTS, "board-phone.png"), fullPage: true });
  } finally {
    await context.close();
  }
});

test("roles without a board have no entry and are refused", async () => {
  const { context, page } = await signIn("leader");
  try {
    assert.equal(await page.locator("nav.sidenav >> text=警情态势").count(), 0);
    const r = await page.goto(`${BASE}/board`);
    assert.equal(r.status(), 403);
  } finally {
    await context.close();
  }
});
