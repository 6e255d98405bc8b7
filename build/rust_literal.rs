//! A serde serializer that writes a value as the Rust expression that builds it, for a
//! static: structs by their Rust name and fields, strings and sequences as borrowed `Cow`s
//! (so the types hold `Cow<'static, _>`), newtypes as tuple structs. What a static table
//! cannot hold (maps, floats, enums with data) is an error, not a guess.

use std::fmt::{self, Write};

use serde::ser::{self, Impossible, Serialize};

#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

pub fn to_string<T: Serialize>(value: &T) -> Result<String, Error> {
    let mut out = Literal(String::new());
    value.serialize(&mut out)?;
    out.0.push('\n');
    Ok(out.0)
}

struct Literal(String);

fn unsupported<T>(what: &str) -> Result<T, Error> {
    Err(Error(format!("{what} cannot be written as a static table")))
}

macro_rules! integer {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result<(), Error> {
            write!(self.0, "{v}").map_err(ser::Error::custom)
        }
    )*};
}

impl<'a> ser::Serializer for &'a mut Literal {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = &'a mut Literal;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = &'a mut Literal;
    type SerializeStructVariant = Impossible<(), Error>;

    integer!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.0.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_f32(self, _: f32) -> Result<(), Error> {
        unsupported("a float")
    }
    fn serialize_f64(self, _: f64) -> Result<(), Error> {
        unsupported("a float")
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        write!(self.0, "{v:?}").map_err(ser::Error::custom)
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        // Debug quotes and escapes a str the way a Rust string literal reads it.
        write!(self.0, "::std::borrow::Cow::Borrowed({v:?})").map_err(ser::Error::custom)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        unsupported("bytes")
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.0.push_str("None");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        self.0.push_str("Some(");
        value.serialize(&mut *self)?;
        self.0.push(')');
        Ok(())
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.0.push_str("()");
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Error> {
        self.0.push_str(name);
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        name: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        write!(self.0, "{name}::{variant}").map_err(ser::Error::custom)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        write!(self.0, "{name}(").map_err(ser::Error::custom)?;
        value.serialize(&mut *self)?;
        self.0.push(')');
        Ok(())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        unsupported("an enum variant with data")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        self.0.push_str("::std::borrow::Cow::Borrowed(&[");
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        unsupported("a tuple")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        unsupported("a tuple struct")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        unsupported("an enum variant with data")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        unsupported("a map")
    }
    fn serialize_struct(
        self,
        name: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        write!(self.0, "{name} {{").map_err(ser::Error::custom)?;
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        unsupported("an enum variant with data")
    }
}

impl ser::SerializeSeq for &mut Literal {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)?;
        self.0.push_str(",\n");
        Ok(())
    }
    fn end(self) -> Result<(), Error> {
        self.0.push_str("])");
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Literal {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        write!(self.0, "\n{key}: ").map_err(ser::Error::custom)?;
        value.serialize(&mut **self)?;
        self.0.push(',');
        Ok(())
    }
    fn end(self) -> Result<(), Error> {
        self.0.push_str("\n}");
        Ok(())
    }
}
