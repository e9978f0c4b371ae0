(* A tiny key-value store with an in-memory backend. *)
open Printf
module StringMap = Map.Make (String)

let max_entries = 1024

type key = string

type entry = { value : string; expires : float option }

exception Full of int

module type STORE = sig
  type t
  val find : t -> key -> string option
  val add : t -> key -> string -> t
end

module Memory : STORE = struct
  type t = entry StringMap.t

  let find store key =
    match StringMap.find_opt key store with
    | Some { value; _ } -> Some value
    | None -> None

  let add store key value =
    if StringMap.cardinal store >= max_entries then raise (Full max_entries);
    StringMap.add key { value; expires = None } store
end

class counter = object
  val mutable count = 0
  method incr = count <- count + 1
  method get = count
end

let describe store key =
  match Memory.find store key with
  | Some v -> printf "%s = %s\n" key v
  | None -> print_endline "missing"
