//! A quick look, allocating nothing, for `os.environ/` references in config.yaml that the
//! container does not provide. It may answer "maybe" but never misses one: then
//! `litellm::env_references` walks the config as a tree to name each reference and its place.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;
use serde::ser::{self, Serializer};

/// Whether some string value of `value` is `os.environ/NAME` with NAME not in `provided`.
/// Every string that a serde_json tree of `value` would hold passes through here (map keys
/// excepted, as there), so `false` means that walking the tree would find none; a failing
/// `Serialize` answers `true`.
pub fn may_lack_env(value: &impl Serialize, provided: &BTreeSet<&str>) -> bool {
    value.serialize(Finder { provided }).is_err()
}

#[derive(Clone, Copy)]
struct Finder<'a> {
    provided: &'a BTreeSet<&'a str>,
}

/// Found one (or could not tell): stops the walk.
#[derive(Debug)]
struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an os.environ/ reference the container may lack")
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Stop
    }
}

type Done = Result<(), Stop>;

macro_rules! ignore {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method(self, _: $ty) -> Done { Ok(()) })*
    };
}

impl<'a> Serializer for Finder<'a> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    ignore!(
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_f32: f32, serialize_f64: f64, serialize_char: char,
        serialize_bytes: &[u8], serialize_unit_struct: &'static str,
    );

    fn serialize_str(self, v: &str) -> Done {
        match v.strip_prefix("os.environ/") {
            Some(name) if !self.provided.contains(name) => Err(Stop),
            _ => Ok(()),
        }
    }

    fn serialize_none(self) -> Done {
        Ok(())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Done {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Done {
        Ok(())
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Done {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, v: &T) -> Done {
        v.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        v: &T,
    ) -> Done {
        v.serialize(self)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Stop> {
        Ok(self)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Stop> {
        Ok(self)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self, Stop> {
        Ok(self)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Stop> {
        Ok(self)
    }
}

/// Every compound passes its values on; names and map keys are not values.
macro_rules! pass_on {
    ($($trait:ident::$method:ident($($name:ty)?)),* $(,)?) => {
        $(impl ser::$trait for Finder<'_> {
            type Ok = ();
            type Error = Stop;

            fn $method<T: ?Sized + Serialize>(&mut self, $(_: $name,)? v: &T) -> Done {
                v.serialize(*self)
            }

            fn end(self) -> Done {
                Ok(())
            }
        })*
    };
}

pass_on!(
    SerializeSeq::serialize_element(),
    SerializeTuple::serialize_element(),
    SerializeTupleStruct::serialize_field(),
    SerializeTupleVariant::serialize_field(),
    SerializeStruct::serialize_field(&'static str),
    SerializeStructVariant::serialize_field(&'static str),
);

impl ser::SerializeMap for Finder<'_> {
    type Ok = ();
    type Error = Stop;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, _: &T) -> Done {
        Ok(())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> Done {
        v.serialize(*self)
    }

    fn end(self) -> Done {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    #[test]
    fn finds_a_reference_the_container_lacks_wherever_it_stands() {
        let provided = BTreeSet::from(["A"]);
        let ok = json!({"x": "os.environ/A", "list": [{"y": "os.environ/A"}], "n": 1});
        assert!(!may_lack_env(&ok, &provided));
        let deep = json!({"x": [1, {"y": ["plain", "os.environ/B"]}]});
        assert!(may_lack_env(&deep, &provided));
        // A key is a name, not a reference (as in the tree walk).
        let key = BTreeMap::from([("os.environ/B", "os.environ/A")]);
        assert!(!may_lack_env(&key, &provided));
    }
}
