// Browser suite, incident lifecycle (issue 9): a desk officer takes a new call from
// intake through dispatch, arrival, disposal and closing on its page; the station chief
// reopens it. Run by run.sh against a fresh `frontline demo` server.
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
const filed = { url: "" };

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

const text = async (page, sel) => (await page.locator(sel).first().innerText()).trim();

/** Submits the step form `code` and waits for the page it leads to. */
async function takeStep(page, code) {
  await Promise.all([page.waitForLoadState("load"), page.click(`[data-testid=submit-${code}]`)]);
}

test("a desk officer dispatches, records arrival and disposal, and closes a call", async () => {
  const { context, page } = await signIn("s1.desk");
  try {
    await page.goto(`${BASE}/incidents/new`);
    await page.selectOption("#category", "public_order.fight");
    await page.fill("#address", "青禾县城关镇人民路 66 号烧烤店门口");
    await page.fill("#caller_name", "李建国");
    await page.fill("#caller_phone", "13912345678");
    await page.fill("#narrative", "报警人称烧烤店门口有三人打架，有人受伤。");
    await page.selectOption("#district_id", { index: 1 });
    await Promise.all([page.waitForURL(/\?created=1$/), page.click("#intake-form button[type=submit]")]);
    filed.url = page.url().replace(/\?created=1$/, "");
    assert.equal(await text(page, "[data-testid=status]"), "待派警");
    // A fight in town carries the urban 5-minute target, running from the call.
    assert.match(await text(page, "[data-testid=target-status]"), /计时中|已超时未到场/);

    // Dispatch without choosing an officer: refused beside the field, nothing changed.
    await takeStep(page, "dispatch");
    assert.match(await text(page, ".error-summary"), /请选择出警民警/);
    assert.equal(await text(page, "[data-testid=status]"), "待派警");
    await page.locator("[data-testid=step-dispatch] input[name=officers]").first().check();
    await page.fill("[data-testid=step-dispatch] input[name=patrol_unit]", "巡逻一组");
    await takeStep(page, "dispatch");
    assert.match(await text(page, "[data-testid=step-done]"), /派警/);
    assert.equal(await text(page, "[data-testid=status]"), "已派警");
    assert.notEqual(await text(page, "[data-testid=assigned]"), "—");

    await takeStep(page, "arrive");
    assert.equal(await text(page, "[data-testid=status]"), "已到场");
    assert.match(await text(page, "[data-testid=target-status]"), /按时到场|超时到场/);

    // Disposal needs a note.
    await takeStep(page, "dispose");
    assert.match(await text(page, ".error-summary"), /处置情况或原因/);
    await page.fill("[data-testid=step-dispose] textarea[name=note]", "现场制止，双方带回所内调解");
    await takeStep(page, "dispose");
    assert.equal(await text(page, "[data-testid=status]"), "已处置");
    await takeStep(page, "close");
    assert.equal(await text(page, "[data-testid=status]"), "已结警");
    const steps = await page.locator("[data-testid=timeline] li strong").allInnerTexts();
    assert.deepEqual(steps, ["接警登记", "派警", "到达现场", "处置", "结警"]);
    assert.match(await text(page, "[data-testid=timeline]"), /双方带回所内调解/);
    assert.equal(await page.locator("[data-testid=no-steps]").count(), 1, "a desk officer does not reopen");
    await page.screenshot({ path: join(RESULTS, "incident-closed.png"), fullPage: true });

    // The list shows the state and filters by it.
    await page.goto(`${BASE}/incidents?status=closed`);
    const number = filed.url.split("/").pop();
    assert.equal(await page.locator(`a[href="/incidents/${number}"]`).count(), 1);
    const statuses = await page.locator("[data-testid=incident-table] [data-testid=status]").allInnerTexts();
    assert.ok(statuses.length > 0 && statuses.every((s) => s === "已结警"), statuses.join("|"));
  } finally {
    await context.close();
  }
});

test("the station chief reopens a closed call; a stale form says so instead of acting", async () => {
  assert.ok(filed.url, "the previous test filed an incident");
  const { context, page } = await signIn("s1.chief");
  const other = await context.newPage();
  try {
    await page.goto(filed.url);
    await other.goto(filed.url);
    await page.fill("[data-testid=step-reopen] textarea[name=note]", "报警人再次来电，对方又来寻衅");
    await takeStep(page, "reopen");
    assert.equal(await text(page, "[data-testid=status]"), "待派警");
    // The second tab still shows version 5: its reopen is refused as stale.
    await other.fill("[data-testid=step-reopen] textarea[name=note]", "重复操作");
    await takeStep(other, "reopen");
    assert.match(await text(other, "[data-testid=step-conflict]"), /已被他人更新/);
    assert.equal(await text(other, "[data-testid=status]"), "待派警");
  } finally {
    await context.close();
  }
});

test("the officer sent finds the call behind the bell and opens it from there", async () => {
  const { context, page } = await signIn("s1.desk");
  try {
    await page.goto(`${BASE}/incidents/new`);
    await page.selectOption("#category", "assistance.locked_out");
    await page.fill("#address", "青禾县城关镇文庙街 9 号 3 单元");
    await page.fill("#caller_name", "赵敏");
    await page.fill("#caller_phone", "13700001111");
    await page.fill("#narrative", "报警人称钥匙锁在屋内，孩子独自在家。");
    await Promise.all([page.waitForURL(/\?created=1$/), page.click("#intake-form button[type=submit]")]);
    const incident = page.url().replace(/\?created=1$/, "");
    // Send oneself: the desk officer's own name is in the header.
    const me = await page.locator(".who").evaluate((el) =>
      [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("").trim());
    await page.locator("[data-testid=step-dispatch] label.check", { hasText: me }).locator("input").check();
    await takeStep(page, "dispatch");
    assert.equal(await text(page, "[data-testid=status]"), "已派警");
    // The dispatcher delivers within moments; the bell shows the count.
    let count = "";
    for (let i = 0; i < 30 && !count; i++) {
      await page.goto(`${BASE}/incidents`);
      await page.waitForTimeout(200);
      const badge = page.locator("[data-unread]:not([hidden])");
      if (await badge.count()) count = (await badge.innerText()).trim();
    }
    assert.match(count, /^\d+$/, "the bell shows an unread count");
    await page.click("[data-testid=bell]");
    assert.equal(await text(page, "h1"), "我的通知");
    const item = page.locator("[data-testid=inbox] li", { hasText: "派警" }).first();
    assert.match(await item.innerText(), /文庙街/);
    await Promise.all([page.waitForURL(incident), item.locator("[data-testid=open-notification]").click()]);
    assert.equal(await text(page, "[data-testid=status]"), "已派警");
  } finally {
    await context.close();
  }
});

test("on a 375px phone the incident page fits without sideways scrolling", async () => {
  const { context, page } = await signIn("s1.desk", { viewport: { width: 375, height: 740 }, isMobile: true });
  try {
    await page.goto(filed.url);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the screen`);
    assert.ok(await page.locator("[data-testid=submit-dispatch]").count(), "the dispatch form is offered");
  } finally {
    await context.close();
  }
});
