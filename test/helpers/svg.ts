/**
 * A well-formedness check for SVG text (tests have no DOM): every element opened is closed in order, attributes are
 * `name="value"` or `name='value'`, and there is exactly one root `<svg>`. Returns the element names in order.
 */
export function parseSvgElements(text: string): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>|<!DOCTYPE[^>]*>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(text))) {
    if (text.slice(last, m.index).includes("<")) throw new Error(`malformed markup near offset ${last}: ${text.slice(last, last + 80)}`);
    last = tag.lastIndex;
    if (m[2] === undefined) continue; // comment, declaration, CDATA
    const [, close, name, , selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open ?? "nothing"}> at offset ${m.index}`);
    } else {
      if (stack.length === 0 && names.length > 0) throw new Error(`a second root element <${name}>`);
      names.push(name!);
      if (!selfClose) stack.push(name!);
    }
  }
  if (text.slice(last).includes("<")) throw new Error(`malformed markup near offset ${last}`);
  if (stack.length) throw new Error(`<${stack.at(-1)}> is never closed`);
  if (names[0] !== "svg") throw new Error(`the root is <${names[0]}>, not <svg>`);
  return names;
}
