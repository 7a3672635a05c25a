#pragma once
// Every message the actors exchange, in one place (docs/STYLE.md 3): the atoms,
// one per meaning, and the payload structs, split by area into actors/messages/.
// Payloads made of values carry a 0.17-style inspect() so that CAF can check,
// copy and print them; only the few that hold a live handle (a socket, an HTTP
// responder) are whitelisted with CAF_ALLOW_UNSAFE_MESSAGE_TYPE, at the end of
// their part, each with the reason. No message leaves the process (no CAF remoting).
//
// Who sends what to whom is in actors/interfaces.hpp, checked by the compiler.
// Include this header, not its parts.

#include "actors/messages/atoms.hpp"    // atoms: one meaning each
#include "actors/messages/call.hpp"     // transcript, tools, slot holds
#include "actors/messages/console.hpp"  // introspection, the console
#include "actors/messages/errors.hpp"   // call_error as caf::error
#include "actors/messages/registry.hpp" // the call registry
#include "actors/messages/sockets.hpp"  // sockets <-> their actors
#include "actors/messages/storage.hpp"  // storage actor, finalizer
