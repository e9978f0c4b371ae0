(** Public interface of the key-value store. *)

open Types

type key = string

type error =
  | Not_found of key
  | Full of int

exception Store_error of error

module type BACKEND = sig
  type t
  val open_ : string -> t
end

module Memory : BACKEND

val max_entries : int

val find : Memory.t -> key -> (string, error) result
(** [find store key] looks [key] up. *)

val add : Memory.t -> key -> string -> unit

external now : unit -> float = "store_now"

class counter : object
  method incr : unit
end
