//! The parser: recursive descent, with precedence climbing for the infix levels, over the
//! grammar of `BUTLER_CONCEPTS.md` §4.2, which is the Python Butler's ply grammar
//! (`parserYacc.py`) written as precedence levels:
//!
//! ```text
//! input  := or | <empty>
//! or     := and (OR and)*
//! and    := not (AND not)*
//! not    := NOT not | cmp
//! cmp    := pred ((= | != | < | <= | > | >= | OVERLAPS) pred)*
//! pred   := arith [NOT] IN "(" item ("," item)* ")" | arith
//! arith  := term ((+ | -) term)*
//! term   := unary ((* | / | %) unary)*
//! unary  := (+ | -) NUMBER | (+ | -) unary | primary
//! primary:= NUMBER | STRING | TIME | IDENT | BIND | NAME "(" [or ("," or)*] ")"
//!         | "(" or ")" | "(" or "," or ")"
//! item   := [+ | -] NUMBER | STRING | TIME | RANGE | IDENT | BIND | NAME "(" ... ")"
//! ```
//!
//! The parser reports an error at the first token that cannot continue a valid expression,
//! which is the token an LR parser such as ply stops at, so messages name the same token as
//! the Python Butler's. Every function returns the tree and its depth, and nesting is
//! bounded, so no input can exhaust the stack here or in code that walks the tree later.

use super::ast::{BinaryOp, Expr, ExprKind, Span, TimeLiteral, UnaryOp};
use super::error::{QueryError, QueryErrorKind};
use super::lexer::{Lexer, Token, TokenKind};
use super::time::parse_time_literal;

/// The deepest tree, and the deepest nesting of parentheses, signs and `NOT`, accepted.
const MAX_DEPTH: u32 = 500;

/// Parses an expression; `None` for empty text.
///
/// # Examples
///
/// ```
/// use satellite_core::query::{parse, BinaryOp, ExprKind};
///
/// let expr = parse("visit > 100 AND band = 'r'")?.expect("not empty");
/// assert!(matches!(expr.kind, ExprKind::Binary { op: BinaryOp::And, .. }));
/// assert_eq!(expr.to_string(), "visit > 100 AND band = 'r'");
/// assert!(parse("  ")?.is_none());
/// # Ok::<(), satellite_core::query::QueryError>(())
/// ```
///
/// # Errors
///
/// A [`QueryError`] with a span inside `text`: [`QueryErrorKind::Lex`] for a character that
/// starts no token, [`QueryErrorKind::Syntax`] for a token out of place or a malformed
/// literal (a bad time, an integer beyond 64 bits, a range outside `IN (...)`, nesting deeper
/// than 500), [`QueryErrorKind::Truncated`] when the text ends too early.
pub fn parse(text: &str) -> Result<Option<Expr>, QueryError> {
    parse_boxed(text).map_err(|e| *e)
}

fn parse_boxed(text: &str) -> PResult<Option<Expr>> {
    let mut parser = Parser::new(text)?;
    if parser.tok.kind == TokenKind::Eof {
        return Ok(None);
    }
    let expr = parser.expr(OR)?;
    if parser.tok.kind != TokenKind::Eof {
        return Err(parser.unexpected().into());
    }
    Ok(Some(*expr.expr))
}

/// Errors travel boxed inside the parser: a small `Result` keeps the frames small (each
/// nesting level puts a few frames on the stack).
type PResult<T> = Result<T, Box<QueryError>>;

/// A parsed subtree and its depth (a leaf has depth 1). The tree is boxed from the start:
/// it becomes a child (a `Box`) anyway, and a small `Node` keeps the frames small.
struct Node {
    expr: Box<Expr>,
    depth: u32,
}

#[derive(Debug)]
struct Parser<'a> {
    text: &'a str,
    lexer: Lexer<'a>,
    /// The current (next unconsumed) token.
    tok: Token,
    /// Where the last consumed token ended.
    prev_end: usize,
    /// How many parentheses, signs and `NOT`s enclose the current position.
    nesting: u32,
}

/// Precedence levels, loosest first (`BUTLER_CONCEPTS.md` §4.2).
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
/// `[NOT] IN (...)`.
const PRED: u8 = 5;
const ADD: u8 = 6;
const MUL: u8 = 7;

/// The level of a token in infix position (`NOT` there starts `NOT IN`).
fn infix_level(kind: TokenKind) -> Option<u8> {
    Some(match kind {
        TokenKind::Or => OR,
        TokenKind::And => AND,
        TokenKind::Eq
        | TokenKind::Ne
        | TokenKind::Lt
        | TokenKind::Le
        | TokenKind::Gt
        | TokenKind::Ge
        | TokenKind::Overlaps => CMP,
        TokenKind::In | TokenKind::Not => PRED,
        TokenKind::Plus | TokenKind::Minus => ADD,
        TokenKind::Star | TokenKind::Slash | TokenKind::Percent => MUL,
        _ => return None,
    })
}

fn binary_op(kind: TokenKind) -> Option<BinaryOp> {
    Some(match kind {
        TokenKind::Eq => BinaryOp::Eq,
        TokenKind::Ne => BinaryOp::Ne,
        TokenKind::Lt => BinaryOp::Lt,
        TokenKind::Le => BinaryOp::Le,
        TokenKind::Gt => BinaryOp::Gt,
        TokenKind::Ge => BinaryOp::Ge,
        TokenKind::Overlaps => BinaryOp::Overlaps,
        TokenKind::Plus => BinaryOp::Add,
        TokenKind::Minus => BinaryOp::Sub,
        TokenKind::Star => BinaryOp::Mul,
        TokenKind::Slash => BinaryOp::Div,
        TokenKind::Percent => BinaryOp::Mod,
        TokenKind::And => BinaryOp::And,
        TokenKind::Or => BinaryOp::Or,
        _ => return None,
    })
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> PResult<Self> {
        let mut lexer = Lexer::new(text);
        let tok = lexer.next_token()?;
        Ok(Self {
            text,
            lexer,
            tok,
            prev_end: 0,
            nesting: 0,
        })
    }

    fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    /// Consumes the current token and returns it.
    fn bump(&mut self) -> PResult<Token> {
        let tok = self.tok;
        self.prev_end = tok.span.end;
        self.tok = self.lexer.next_token()?;
        Ok(tok)
    }

    fn expect(&mut self, kind: TokenKind) -> PResult<Token> {
        if self.tok.kind == kind {
            self.bump()
        } else {
            Err(self.unexpected().into())
        }
    }

    /// The error for the current token: a syntax error, or truncation at the end.
    fn unexpected(&self) -> QueryError {
        self.syntax_error(self.tok)
    }

    /// `Syntax error at or near 'TOKEN' (line: L, pos: P)` naming `tok` as the Python Butler
    /// names it: strings and time literals without quotes, bind names without the colon,
    /// keywords in upper case, everything else as written.
    fn syntax_error(&self, tok: Token) -> QueryError {
        let span = tok.span;
        let text = match tok.kind {
            TokenKind::Eof => {
                return QueryError::new(
                    QueryErrorKind::Truncated,
                    "End of input reached while expecting further input",
                    Some(span),
                )
            }
            TokenKind::Str => self.slice(Span::new(span.start + 1, span.end - 1)),
            TokenKind::Time => self.slice(Span::new(span.start + 2, span.end - 1)),
            TokenKind::Bind => self.slice(Span::new(span.start + 1, span.end)),
            kind => kind.keyword().unwrap_or_else(|| self.slice(span)),
        };
        self.syntax_error_at(text, span)
    }

    fn syntax_error_at(&self, token_text: &str, span: Span) -> QueryError {
        let before = self.text.get(..span.start).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let pos = before.get(line_start..).unwrap_or_default().chars().count() + 1;
        QueryError::new(
            QueryErrorKind::Syntax,
            format!("Syntax error at or near '{token_text}' (line: {line}, pos: {pos})"),
            Some(span),
        )
    }

    fn too_deep(&self, tok: Token) -> QueryError {
        self.syntax_error(tok).with_hint(format!(
            "the expression is nested more than {MAX_DEPTH} levels deep"
        ))
    }

    /// Enters one level of nesting at the current token.
    fn enter(&mut self) -> PResult<()> {
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            return Err(self.too_deep(self.tok).into());
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting -= 1;
    }

    /// A node whose depth is one more than its deepest child's, if that is allowed.
    fn node(&self, kind: ExprKind, span: Span, child_depth: u32, at: Token) -> PResult<Node> {
        let depth = child_depth + 1;
        if depth > MAX_DEPTH {
            return Err(self.too_deep(at).into());
        }
        Ok(Node {
            expr: Box::new(Expr::new(kind, span)),
            depth,
        })
    }

    fn leaf(kind: ExprKind, span: Span) -> Node {
        Node {
            expr: Box::new(Expr::new(kind, span)),
            depth: 1,
        }
    }

    /// An expression whose infix operators all bind at least as tightly as `min`
    /// (precedence climbing over the levels of the module comment).
    ///
    /// Every chain is left-associative: the right operand of an operator at level `L` is
    /// parsed at `L + 1`, and the loop then accepts operators up to level `L` only. `IN`
    /// lists end their predicate: after one, only a comparison or looser may follow.
    fn expr(&mut self, min: u8) -> PResult<Node> {
        let start = self.tok.span.start;
        let mut lhs = if self.tok.kind == TokenKind::Not && min <= NOT {
            self.not()?
        } else {
            self.unary()?
        };
        let mut ceiling = MUL;
        while let Some(level) = infix_level(self.tok.kind) {
            if level < min || level > ceiling {
                break;
            }
            if level == PRED {
                lhs = self.in_list(start, lhs)?;
                ceiling = CMP;
                continue;
            }
            let op_tok = self.bump()?;
            let Some(op) = binary_op(op_tok.kind) else {
                return Err(self.syntax_error(op_tok).into());
            };
            let rhs = self.expr(level + 1)?;
            let depth = lhs.depth.max(rhs.depth);
            let kind = ExprKind::Binary {
                op,
                lhs: lhs.expr,
                rhs: rhs.expr,
            };
            lhs = self.node(kind, Span::new(start, self.prev_end), depth, op_tok)?;
            ceiling = level;
        }
        Ok(lhs)
    }

    /// `NOT operand`, the `NOT` current; the operand is a comparison or another `NOT`.
    fn not(&mut self) -> PResult<Node> {
        let not_tok = self.bump()?;
        self.enter()?;
        let operand = self.expr(NOT)?;
        self.leave();
        let kind = ExprKind::Unary {
            op: UnaryOp::Not,
            operand: operand.expr,
        };
        let span = Span::new(not_tok.span.start, self.prev_end);
        self.node(kind, span, operand.depth, not_tok)
    }

    /// `lhs [NOT] IN (item, ...)`, the `NOT` or `IN` current.
    fn in_list(&mut self, start: usize, lhs: Node) -> PResult<Node> {
        let negated = self.tok.kind == TokenKind::Not;
        if negated {
            self.bump()?;
            if self.tok.kind != TokenKind::In {
                return Err(self.unexpected().into());
            }
        }
        let in_tok = self.bump()?;
        self.expect(TokenKind::LParen)?;
        let mut items = Vec::new();
        let mut depth = lhs.depth;
        loop {
            let item = self.item()?;
            depth = depth.max(item.depth);
            items.push(*item.expr);
            if self.tok.kind == TokenKind::Comma {
                self.bump()?;
            } else {
                self.expect(TokenKind::RParen)?;
                break;
            }
        }
        let kind = ExprKind::In {
            lhs: lhs.expr,
            items,
            negated,
        };
        self.node(kind, Span::new(start, self.prev_end), depth, in_tok)
    }

    /// One element of an `IN` list: a literal, a range, a name, a bind or a call.
    fn item(&mut self) -> PResult<Node> {
        match self.tok.kind {
            TokenKind::Plus | TokenKind::Minus => {
                let sign = self.bump()?;
                if self.tok.kind != TokenKind::Number {
                    return Err(self.unexpected().into());
                }
                self.number(Some(sign))
            }
            TokenKind::Range => self.range(),
            TokenKind::Number => self.number(None),
            TokenKind::Str | TokenKind::Bind => self.str_or_bind(),
            TokenKind::Time => self.time(),
            TokenKind::Ident => self.ident(),
            _ => Err(self.unexpected().into()),
        }
    }

    /// A sign folds into a number written right after it (`-5` is the literal -5, as the
    /// Python Butler's `literal : SUB NUMERIC_LITERAL` rule says); before anything else it is
    /// a unary operator binding tighter than `*`.
    fn unary(&mut self) -> PResult<Node> {
        let op = match self.tok.kind {
            TokenKind::Plus => UnaryOp::Plus,
            TokenKind::Minus => UnaryOp::Minus,
            _ => return self.primary(),
        };
        let sign = self.bump()?;
        if self.tok.kind == TokenKind::Number {
            return self.number(Some(sign));
        }
        self.enter()?;
        let operand = self.unary()?;
        self.leave();
        let kind = ExprKind::Unary {
            op,
            operand: operand.expr,
        };
        let span = Span::new(sign.span.start, self.prev_end);
        self.node(kind, span, operand.depth, sign)
    }

    /// A literal, name, bind, call, or a parenthesised expression or pair. Each case is its
    /// own function so that this frame, which is on the stack once per nesting level, stays
    /// small.
    fn primary(&mut self) -> PResult<Node> {
        let tok = self.tok;
        match tok.kind {
            TokenKind::Number => self.number(None),
            TokenKind::Str | TokenKind::Bind => self.str_or_bind(),
            TokenKind::Time => self.time(),
            TokenKind::Ident => self.ident(),
            TokenKind::LParen => self.paren(),
            TokenKind::Range => Err(self
                .syntax_error(tok)
                .with_hint("a range `start..stop[:stride]` may only appear in an `IN (...)` list")
                .into()),
            _ => Err(self.unexpected().into()),
        }
    }

    fn str_or_bind(&mut self) -> PResult<Node> {
        let tok = self.bump()?;
        let span = tok.span;
        Ok(Self::leaf(
            if tok.kind == TokenKind::Str {
                ExprKind::Str(
                    self.slice(Span::new(span.start + 1, span.end - 1))
                        .to_owned(),
                )
            } else {
                ExprKind::Bind(self.slice(Span::new(span.start + 1, span.end)).to_owned())
            },
            span,
        ))
    }

    /// A time literal; one that names no time is a syntax error on the whole literal, with
    /// the reason as its hint.
    fn time(&mut self) -> PResult<Node> {
        let tok = self.bump()?;
        let text = self.slice(Span::new(tok.span.start + 2, tok.span.end - 1));
        match parse_time_literal(text) {
            Ok(tai_ns) => Ok(Self::leaf(
                ExprKind::Time(TimeLiteral {
                    text: text.to_owned(),
                    tai_ns,
                }),
                tok.span,
            )),
            Err(why) => Err(self.syntax_error(tok).with_hint(why).into()),
        }
    }

    /// A name, or a call when a one-part name is followed by `(`.
    fn ident(&mut self) -> PResult<Node> {
        let tok = self.bump()?;
        let name = self.slice(tok.span);
        if self.tok.kind == TokenKind::LParen && !name.contains('.') {
            return self.call(tok);
        }
        let parts = name.split('.').map(str::to_owned).collect();
        Ok(Self::leaf(ExprKind::Ident(parts), tok.span))
    }

    /// `(expr)` (which only groups: the node keeps its own span) or `(expr, expr)`.
    fn paren(&mut self) -> PResult<Node> {
        let open = self.bump()?;
        self.enter()?;
        let first = self.expr(OR)?;
        if self.tok.kind != TokenKind::Comma {
            self.expect(TokenKind::RParen)?;
            self.leave();
            return Ok(first);
        }
        self.bump()?;
        let second = self.expr(OR)?;
        self.expect(TokenKind::RParen)?;
        self.leave();
        let depth = first.depth.max(second.depth);
        let kind = ExprKind::Tuple(first.expr, second.expr);
        self.node(kind, Span::new(open.span.start, self.prev_end), depth, open)
    }

    /// `NAME "(" [or ("," or)*] ")"`, the name already consumed and the `(` current.
    fn call(&mut self, name: Token) -> PResult<Node> {
        self.bump()?;
        self.enter()?;
        let mut args = Vec::new();
        let mut depth = 0;
        if self.tok.kind != TokenKind::RParen {
            loop {
                let arg = self.expr(OR)?;
                depth = depth.max(arg.depth);
                args.push(*arg.expr);
                if self.tok.kind != TokenKind::Comma {
                    break;
                }
                self.bump()?;
            }
        }
        self.expect(TokenKind::RParen)?;
        self.leave();
        let kind = ExprKind::Call {
            name: self.slice(name.span).to_owned(),
            args,
        };
        self.node(kind, Span::new(name.span.start, self.prev_end), depth, name)
    }

    /// The current number token, with the sign token written before it, if any.
    fn number(&mut self, sign: Option<Token>) -> PResult<Node> {
        let tok = self.bump()?;
        let span = Span::new(sign.map_or(tok.span.start, |s| s.span.start), tok.span.end);
        let digits = self.slice(tok.span);
        let negative = sign.is_some_and(|s| s.kind == TokenKind::Minus);
        if digits.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
            let value: f64 = digits
                .parse()
                .map_err(|_| self.syntax_error(tok).with_hint("not a number"))?;
            if !value.is_finite() {
                return Err(self
                    .syntax_error_at(self.slice(span), span)
                    .with_hint("the number is too large for a 64-bit float")
                    .into());
            }
            let value = if negative { -value } else { value };
            return Ok(Self::leaf(ExprKind::Float(value), span));
        }
        match parse_int(negative, digits) {
            Some(value) => Ok(Self::leaf(ExprKind::Int(value), span)),
            None => Err(self
                .syntax_error_at(self.slice(span), span)
                .with_hint("the integer does not fit in 64 bits")
                .into()),
        }
    }

    fn range(&mut self) -> PResult<Node> {
        let tok = self.bump()?;
        let text = self.slice(tok.span);
        let bad = || {
            self.syntax_error(tok)
                .with_hint("a bound or the stride of the range does not fit in 64 bits")
        };
        let (start, rest) = text.split_once("..").ok_or_else(bad)?;
        let (stop, stride) = match rest.split_once(':') {
            Some((stop, stride)) => (stop, Some(stride)),
            None => (rest, None),
        };
        let bound = |s: &str| {
            let s = s.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\x0b');
            match s.strip_prefix('-') {
                Some(digits) => parse_int(true, digits),
                None => parse_int(false, s),
            }
        };
        let kind = ExprKind::Range {
            start: bound(start).ok_or_else(bad)?,
            stop: bound(stop).ok_or_else(bad)?,
            stride: match stride {
                Some(s) => Some(bound(s).ok_or_else(bad)?),
                None => None,
            },
        };
        Ok(Self::leaf(kind, tok.span))
    }
}

/// ASCII digits as an `i64`, negated when `negative`; `None` when it does not fit.
fn parse_int(negative: bool, digits: &str) -> Option<i64> {
    if digits.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        let d = i64::from(b - b'0');
        // Accumulate towards the sign so that i64::MIN, whose magnitude is no i64, fits.
        value = value.checked_mul(10)?;
        value = if negative {
            value.checked_sub(d)?
        } else {
            value.checked_add(d)?
        };
    }
    Some(value)
}
