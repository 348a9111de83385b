"""Scrub every nsys export in a folder of secrets (the marker env value, host names, the values of the environment the
profile ran under), in place, the same way for each format; then check none is left and log where they were."""
import io, os, sqlite3, sys, glob
import pyarrow as pa, pyarrow.ipc as ipc, pyarrow.parquet as pq, pyarrow.compute as pc
ex, canary, *hosts = sys.argv[1:]
secrets = [s for s in [canary, *hosts, os.environ.get("PATH", "")] if len(s) >= 4]
secrets = sorted(set(secrets), key=len, reverse=True)
REPL = '[scrubbed]'
print('secrets:', len(secrets))
def fix_str(s):
    for x in secrets: s = s.replace(x, REPL)
    return s
def fix_table(t, where):
    cols, hit = [], False
    for i, f in enumerate(t.schema):
        c = t.column(i)
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
            vals = c.to_pylist(); new = [None if v is None else fix_str(v) for v in vals]
            n = sum(1 for a, b in zip(vals, new) if a != b)
            if n: hit = True; print(f'  {where} column {f.name}: {n} cells'); c = pa.chunked_array([pa.array(new, type=f.type)])
        elif pa.types.is_dictionary(f.type) or pa.types.is_binary(f.type):
            if any(x.encode() in bytes(str(c.to_pylist()), 'utf8') for x in secrets): print(f'  WARNING {where} {f.name} binary/dict holds a secret')
        cols.append(c)
    return (pa.Table.from_arrays(cols, schema=t.schema) if hit else t), hit
# sqlite
for p in glob.glob(f'{ex}/*.sqlite'):
    db = sqlite3.connect(p)
    for (t,) in db.execute("select name from sqlite_master where type='table'").fetchall():
        for col in [r[1] for r in db.execute(f'pragma table_info("{t}")')]:
            for x in secrets:
                n = db.execute(f'select count(*) from "{t}" where typeof("{col}")=\'text\' and instr("{col}", ?)>0', (x,)).fetchone()[0]
                if n: print(f'  sqlite {t}.{col}: {n} rows'); db.execute(f'update "{t}" set "{col}"=replace("{col}", ?, ?) where typeof("{col}")=\'text\'', (x, REPL))
    db.commit(); db.execute('vacuum'); db.close()
# json lines (raw text: the lines are left byte for byte except the secret substrings)
for p in glob.glob(f'{ex}/*.json') + glob.glob(f'{ex}/*.jsonl'):
    out, n = [], 0
    with open(p, 'rb') as f:
        for line in f:
            new = line
            for x in secrets: new = new.replace(x.encode(), REPL.encode())
            n += new != line; out.append(new)
    print(f'  {os.path.basename(p)}: {n} lines')
    if n: open(p, 'wb').writelines(out)
# one .arrows file: concatenated IPC streams; untouched streams are copied byte for byte
for p in glob.glob(f'{ex}/*.arrows'):
    data = open(p, 'rb').read(); buf = pa.BufferReader(data); parts = []; nt = 0
    while buf.tell() < len(data):
        start = buf.tell(); r = ipc.open_stream(buf); t = r.read_all(); end = buf.tell(); nt += 1
        name = (t.schema.metadata or {}).get(b'table_name', b'?').decode()
        t2, hit = fix_table(t, f'arrows {name}')
        if hit:
            s = pa.BufferOutputStream(); w = ipc.new_stream(s, t.schema); w.write_table(t2); w.close(); parts.append(s.getvalue().to_pybytes())
        else: parts.append(data[start:end])
    print(f'  arrows streams: {nt}'); open(p, 'wb').write(b''.join(parts))
# arrowdir: one Arrow file per table (IPC file or stream format, kept as found)
for p in glob.glob(f'{ex}/*_arwdir/*'):
    data = open(p, 'rb').read(); isfile = data[:6] == b'ARROW1'
    t = (ipc.open_file(pa.BufferReader(data)) if isfile else ipc.open_stream(pa.BufferReader(data))).read_all()
    t2, hit = fix_table(t, f'arwdir {os.path.basename(p)}')
    if hit:
        with pa.OSFile(p, 'wb') as s:
            w = (ipc.new_file if isfile else ipc.new_stream)(s, t.schema); w.write_table(t2); w.close()
# parquetdir: one Parquet file per table, rewritten (same codec) only where a secret was found
for p in glob.glob(f'{ex}/*_pqtdir/*.parquet'):
    md = pq.ParquetFile(p).metadata
    codec = md.row_group(0).column(0).compression if md.num_row_groups and md.num_columns else 'NONE'
    t = pq.read_table(p); t2, hit = fix_table(t, f'pqtdir {os.path.basename(p)}')
    if hit: pq.write_table(t2, p, compression=codec.lower() if codec != 'UNCOMPRESSED' else 'none')
# check: nothing left anywhere (decoded, so compressed Parquet pages are checked too)
left = 0
for p in glob.glob(f'{ex}/*.sqlite'):
    db = sqlite3.connect(p)
    for (t,) in db.execute("select name from sqlite_master where type='table'").fetchall():
        for col in [r[1] for r in db.execute(f'pragma table_info("{t}")')]:
            for x in secrets: left += db.execute(f'select count(*) from "{t}" where instr(cast("{col}" as text), ?)>0', (x,)).fetchone()[0]
for p in glob.glob(f'{ex}/*.json*') + glob.glob(f'{ex}/*.arrows') + glob.glob(f'{ex}/*_arwdir/*'):
    b = open(p, 'rb').read(); left += sum(b.count(x.encode()) for x in secrets)
for p in glob.glob(f'{ex}/*_pqtdir/*.parquet'):
    left += sum(str(pq.read_table(p).to_pylist()).count(x) for x in secrets)
print('SECRETS LEFT:', left)
# what each format holds (for writing the importers)
for p in glob.glob(f'{ex}/*.arrows'):
    data = open(p, 'rb').read(); buf = pa.BufferReader(data)
    while buf.tell() < len(data):
        t = ipc.open_stream(buf).read_all(); print('arrows', t.schema.metadata, t.num_rows, [f'{f.name}:{f.type}' for f in t.schema][:40])
for p in sorted(glob.glob(f'{ex}/*_pqtdir/*'))[:80]:
    print('pqt', os.path.basename(p), pq.ParquetFile(p).metadata.num_rows, pq.ParquetFile(p).schema_arrow.metadata and list(pq.ParquetFile(p).schema_arrow.metadata.keys()), pq.ParquetFile(p).metadata.row_group(0).column(0).compression if pq.ParquetFile(p).metadata.num_row_groups else '-')
for p in sorted(glob.glob(f'{ex}/*_arwdir/*'))[:5]:
    print('arw', os.path.basename(p), open(p,'rb').read(8))
for p in glob.glob(f'{ex}/*.json*'):
    print(p, open(p).read(600).replace('\n', ' | '))
