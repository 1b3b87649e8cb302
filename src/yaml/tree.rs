//! Node trees in a compact binary form, for the built-in catalogue.
//!
//! Parsing the built-in catalogue (about 500 KB of YAML, with positions) took most
//! of the start-up of every command. The build script now parses it once, with the
//! same parser (`parse.rs`), and stores each file's tree with `encode`; at run time
//! `decode` rebuilds the trees in a fraction of the time. A test checks that
//! decoding gives exactly what parsing the text gives, file by file.
//!
//! Format: the magic `SXT1`, then one node. A node is its position (line, column,
//! width), a tag and its payload; numbers are LEB128 varints, integers zigzag
//! encoded, floats their 8 IEEE bytes, text its length and UTF-8 bytes, lists and
//! mappings their length and entries (a mapping key: position, then text).

use super::parse::{Key, MAX_DEPTH, Node, Pos, Value};

const MAGIC: &[u8; 4] = b"SXT1";

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const INT: u8 = 3;
const FLOAT: u8 = 4;
const STR: u8 = 5;
const SEQ: u8 = 6;
const MAP: u8 = 7;

/// The tree in binary form.
pub fn encode(node: &Node) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    put_node(&mut out, node);
    out
}

/// The tree back from `encode`'s bytes; `None` if they are not such bytes (the
/// caller then parses the text instead).
pub fn decode(bytes: &[u8]) -> Option<Node> {
    let mut reader = Reader {
        rest: bytes.strip_prefix(MAGIC)?,
    };
    let node = reader.node(0)?;
    reader.rest.is_empty().then_some(node)
}

fn put_uint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn put_pos(out: &mut Vec<u8>, pos: Pos) {
    put_uint(out, pos.line as u64);
    put_uint(out, pos.column as u64);
    put_uint(out, pos.width as u64);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_uint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn put_node(out: &mut Vec<u8>, node: &Node) {
    put_pos(out, node.pos);
    match &node.value {
        Value::Null => out.push(NULL),
        Value::Bool(false) => out.push(FALSE),
        Value::Bool(true) => out.push(TRUE),
        Value::Int(i) => {
            out.push(INT);
            put_uint(out, ((i << 1) ^ (i >> 63)) as u64);
        }
        Value::Float(x) => {
            out.push(FLOAT);
            out.extend_from_slice(&x.to_bits().to_le_bytes());
        }
        Value::Str(s) => {
            out.push(STR);
            put_str(out, s);
        }
        Value::Seq(items) => {
            out.push(SEQ);
            put_uint(out, items.len() as u64);
            for item in items {
                put_node(out, item);
            }
        }
        Value::Map(entries) => {
            out.push(MAP);
            put_uint(out, entries.len() as u64);
            for (key, value) in entries {
                put_pos(out, key.pos);
                put_str(out, &key.name);
                put_node(out, value);
            }
        }
    }
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(b)
    }

    fn uint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(n);
            }
        }
        None
    }

    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.uint()?).ok()
    }

    fn bytes(&mut self, len: usize) -> Option<&'a [u8]> {
        if len > self.rest.len() {
            return None;
        }
        let (taken, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(taken)
    }

    fn str(&mut self) -> Option<String> {
        let len = self.usize()?;
        let bytes = self.bytes(len)?;
        std::str::from_utf8(bytes).ok().map(str::to_string)
    }

    fn pos(&mut self) -> Option<Pos> {
        Some(Pos {
            line: self.usize()?,
            column: self.usize()?,
            width: self.usize()?,
        })
    }

    /// A length that the remaining bytes can hold (every entry takes at least four
    /// bytes), so that damaged bytes cannot ask for a huge allocation.
    fn count(&mut self) -> Option<usize> {
        self.usize().filter(|&n| n <= self.rest.len() / 4)
    }

    fn node(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let pos = self.pos()?;
        let value = match self.byte()? {
            NULL => Value::Null,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            INT => {
                let z = self.uint()?;
                Value::Int(((z >> 1) as i64) ^ -((z & 1) as i64))
            }
            FLOAT => {
                let bytes: [u8; 8] = self.bytes(8)?.try_into().ok()?;
                Value::Float(f64::from_bits(u64::from_le_bytes(bytes)))
            }
            STR => Value::Str(self.str()?),
            SEQ => {
                let n = self.count()?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.node(depth + 1)?);
                }
                Value::Seq(items)
            }
            MAP => {
                let n = self.count()?;
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    let pos = self.pos()?;
                    let name = self.str()?;
                    entries.push((Key { name, pos }, self.node(depth + 1)?));
                }
                Value::Map(entries)
            }
            _ => return None,
        };
        Some(Node { value, pos })
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::{SourceFile, parse};
    use super::*;

    #[test]
    fn every_kind_of_value_survives_a_round_trip() {
        let text = "a: ~\nb: [true, false]\nc: -9223372036854775808\nd: 9223372036854775807\n\
                    e: 2.5\nf: \"Grüße, 日本\"\ng:\n  - {x: 1, y: [0, -1]}\n  - ''\n";
        let node = parse(&SourceFile::new("t.yaml", text)).expect("valid YAML");
        let bytes = encode(&node);
        assert_eq!(decode(&bytes), Some(node));
    }

    #[test]
    fn damaged_bytes_are_refused_not_trusted() {
        let node = parse(&SourceFile::new("t.yaml", "a: [1, 2, {b: text}]\n")).expect("valid");
        let bytes = encode(&node);
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None, "truncated");
        assert_eq!(
            decode(&[bytes.as_slice(), &[0]].concat()),
            None,
            "trailing byte"
        );
        assert_eq!(decode(&bytes[4..]), None, "no magic");
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&[1, 1, 1, SEQ, 0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert_eq!(decode(&huge), None, "a length the bytes cannot hold");
        let mut deep = MAGIC.to_vec();
        for _ in 0..=MAX_DEPTH + 1 {
            deep.extend_from_slice(&[1, 1, 1, SEQ, 1]);
        }
        deep.extend_from_slice(&[1, 1, 1, NULL]);
        assert_eq!(decode(&deep), None, "deeper than any parsed tree");
    }
}
