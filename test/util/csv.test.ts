/**
 * The RFC 4180 reader and field writer in src/util/csv.ts: quoted fields holding commas, doubled quotes and line
 * breaks; LF, CRLF and lone-CR line ends; a byte-order mark; a last line with or without its newline; every record's
 * raw text kept exactly as in the input (predict carries it through byte for byte); an unterminated quote refused.
 */
import { describe, expect, it } from "vitest";
import { csvField, parseCsv } from "../../src/util/csv";

describe("parseCsv", () => {
  it("splits a quoted field that holds commas into one field and keeps the record's raw text", () => {
    const t = parseCsv('name,grid\n"void k<4, float>(int, int)",1x1x1\n');
    expect(t.header).toEqual(["name", "grid"]);
    expect(t.headerRaw).toBe("name,grid");
    expect(t.records).toHaveLength(1);
    expect(t.records[0].fields).toEqual(["void k<4, float>(int, int)", "1x1x1"]);
    expect(t.records[0].raw).toBe('"void k<4, float>(int, int)",1x1x1');
  });

  it("turns a doubled quote inside a quoted field into one quote, and keeps the doubled form in raw", () => {
    const line = 'a,"he said ""hot"", twice",""""';
    const t = parseCsv(`x,y,z\n${line}\n`);
    expect(t.records[0].fields).toEqual(["a", 'he said "hot", twice', '"']);
    expect(t.records[0].raw).toBe(line);
  });

  it("reads an empty quoted field as the empty string and keeps empty unquoted fields, trailing ones included", () => {
    const t = parseCsv('a,b,c\n"",,\n');
    expect(t.records[0].fields).toEqual(["", "", ""]);
  });

  it("keeps a line break inside a quoted field as part of the field and of raw", () => {
    const t = parseCsv('a,b\n"two\nlines",2\nnext,3\n');
    expect(t.records.map((r) => r.fields)).toEqual([["two\nlines", "2"], ["next", "3"]]);
    expect(t.records[0].raw).toBe('"two\nlines",2');
  });

  it("gives the same fields for LF, CRLF and lone-CR line ends, and raw never holds the line end", () => {
    const rows = ['name,us', '"k, 1",1.5', 'k2,2.25'];
    const lf = parseCsv(`${rows.join("\n")}\n`);
    const crlf = parseCsv(`${rows.join("\r\n")}\r\n`);
    const cr = parseCsv(`${rows.join("\r")}\r`);
    for (const t of [crlf, cr]) {
      expect(t.header).toEqual(lf.header);
      expect(t.headerRaw).toBe("name,us");
      expect(t.records.map((r) => r.fields)).toEqual(lf.records.map((r) => r.fields));
      expect(t.records.map((r) => r.raw)).toEqual(rows.slice(1));
    }
    expect(lf.records.map((r) => r.fields)).toEqual([["k, 1", "1.5"], ["k2", "2.25"]]);
  });

  it("reads the last record the same with or without a final newline", () => {
    const body = 'a,b\n1,"x,y"';
    const without = parseCsv(body);
    const withLf = parseCsv(`${body}\n`);
    const withCrlf = parseCsv(`${body.replace(/\n/g, "\r\n")}\r\n`);
    for (const t of [without, withLf, withCrlf]) {
      expect(t.records).toHaveLength(1);
      expect(t.records[0].fields).toEqual(["1", "x,y"]);
      expect(t.records[0].raw).toBe('1,"x,y"');
    }
  });

  it("drops a leading byte-order mark from the first header name and from headerRaw", () => {
    const t = parseCsv("\ufeffname,us\r\nk,1\r\n");
    expect(t.header).toEqual(["name", "us"]);
    expect(t.headerRaw).toBe("name,us");
    expect(t.records[0].fields).toEqual(["k", "1"]);
  });

  it("trims spaces around header names but keeps data fields and raw text as they are", () => {
    const t = parseCsv(" name , us \n k , 1 \n");
    expect(t.header).toEqual(["name", "us"]);
    expect(t.headerRaw).toBe(" name , us ");
    expect(t.records[0].fields).toEqual([" k ", " 1 "]);
    expect(t.records[0].raw).toBe(" k , 1 ");
  });

  it("skips blank lines between records", () => {
    const t = parseCsv("a\n1\n\n\r\n2\n\n");
    expect(t.records.map((r) => r.fields)).toEqual([["1"], ["2"]]);
  });

  it("keeps a quote that does not open a field as a literal character", () => {
    const t = parseCsv('a,b\n5" disk,x\n');
    expect(t.records[0].fields).toEqual(['5" disk', "x"]);
  });

  it("gives an empty header and no records for empty text", () => {
    expect(parseCsv("")).toEqual({ header: [], headerRaw: "", records: [] });
  });

  it.each([
    ["at the end of the text", 'a,b\n1,"never closed'],
    ["across the rest of the file", 'a,b\n1,"open\n2,3\n'],
    ["in the header", '"a,b\n1,2\n'],
  ])("throws on an unterminated quoted field %s", (_where, text) => {
    expect(() => parseCsv(text)).toThrow(/unterminated/);
  });
});

describe("csvField", () => {
  it("leaves plain values and numbers unquoted", () => {
    expect(csvField("abc")).toBe("abc");
    expect(csvField(1.25)).toBe("1.25");
    expect(csvField("")).toBe("");
  });

  it("quotes values with a comma, quote or line break, doubling the quotes, and parseCsv reads them back", () => {
    const values = ["a,b", 'say "hi"', "two\nlines", "cr\rhere", '",'];
    for (const v of values) expect(csvField(v).startsWith('"')).toBe(true);
    const text = `${values.map((_v, i) => `c${i}`).join(",")}\n${values.map(csvField).join(",")}\n`;
    expect(parseCsv(text).records[0].fields).toEqual(values);
  });
});
