// Small Playwright helpers for antd widgets.

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };

export async function openPage(browser, base, locale, pageErrors) {
  const ctx = await browser.newContext({ viewport: DESKTOP, locale, baseURL: base });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return page;
}

/** Saves `<file>-desktop.png` and `<file>-375.png`. */
export async function shotBoth(page, file) {
  await page.waitForTimeout(300); // let antd animations settle
  await page.screenshot({ path: `${file}-desktop.png` });
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${file}-375.png` });
  await page.setViewportSize(DESKTOP);
  await page.waitForTimeout(200);
}

/** Fills inputs found by data-testid. */
export async function fillForm(scope, values) {
  for (const [testId, value] of Object.entries(values)) {
    if (value === undefined || value === '') continue;
    await scope.getByTestId(testId).fill(value);
  }
}

/** Waits until `locator` contains `text`. */
export async function expectText(locator, text, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  let last = '';
  for (;;) {
    last = (await locator.first().textContent().catch(() => '')) ?? '';
    if (last.includes(text)) return;
    if (Date.now() > deadline) throw new Error(`expected text "${text}", found "${last.slice(0, 300)}"`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** A department title in a tree; with `parent`, only when it sits under that parent. */
export function treeNode(page, treeTestId, name, parent) {
  const sel = `[data-testid="dept-node"][data-dept-name="${name}"]${parent ? `[data-parent-name="${parent}"]` : ''}`;
  return page.locator(`[data-testid="${treeTestId}"] ${sel}, .hd-tree ${sel}`).first();
}

/** Opens the antd (Tree)Select whose search input has `inputSelector` and picks `title`. */
export async function pickTreeOption(page, inputSelector, title) {
  const select = page.locator(inputSelector).locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " ant-select ")][1]');
  await select.click();
  const option = page
    .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-tree-node-content-wrapper')
    .filter({ hasText: new RegExp(`^${title}$`) })
    .first();
  await option.click();
}

/**
 * HTML5 drag of one antd Tree node onto another, dropping "inside" the target:
 * the pointer ends in the lower half and well to the right of where it started,
 * which rc-tree reads as "make it a child".
 */
export async function dragOnto(page, source, target) {
  const src = await source.boundingBox();
  const dst = await target.boundingBox();
  if (!src || !dst) throw new Error('drag source or target not visible');
  const row = await target.locator('xpath=ancestor::*[contains(@class, "ant-tree-node-content-wrapper")][1]').boundingBox();
  const endX = (row ?? dst).x + (row ?? dst).width - 8;
  const endY = dst.y + dst.height * 0.75;
  await page.mouse.move(src.x + 4, src.y + src.height / 2);
  await page.mouse.down();
  await page.mouse.move(src.x + 20, src.y + src.height / 2 + 4, { steps: 4 });
  await page.mouse.move(endX - 20, endY, { steps: 8 });
  await page.mouse.move(endX, endY, { steps: 4 });
  await page.waitForTimeout(150);
  await page.mouse.up();
}
