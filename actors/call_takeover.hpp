#pragma once
// Several nodes on one database (issue 16.2): the registry's side.
//
// Lease. Each node ([server] node_id, public_url) upserts its row in the
// `nodes` table at start, before it looks for the calls it left open, and
// renews it every [cluster] lease_ms / 3 through the storage actor (off the
// io threads). Lease ages are the database's clock (storage/store_nodes.cpp).
//
// Takeover. With each heartbeat the node reads every node's row; a node
// whose lease expired with open calls is presumed dead, and its calls are
// claimed in one transaction that locks the dead node's row and moves the
// calls with a conditional UPDATE (storage claim_calls): of two survivors,
// or of a survivor and the dead node starting again with the same id, one
// gets each call. Claimed calls are adopted as a node's own calls left open
// are at start (registry_state.hpp adopt_lost_calls): held for [resume]
// grace_ms for the caller's <Redirect>, then finalized server_lost, once.
//
// Call-next elsewhere. The load balancer may bring Twilio's <Redirect> to
// /telephony/realtime-call-next (docs/protocols.md 1) to a node that does
// not hold the call. That node asks the database which node does:
//   not an open call               -> <Hangup/> (as before)
//   owner's lease expired          -> claim it here and answer the resume
//                                     <Connect><Stream> (this node's URL)
//   owner heartbeats after the ask -> <Redirect> to the owner's call-next
//                                     URL: the owner holds it and resumes it
//   owner silent, lease not expired-> ask again every lease / 10 (>= 100 ms)
//                                     until one of the two above, at most
//                                     1.5 leases (<= 12 s, inside Twilio's
//                                     15 s webhook timeout); then the
//                                     <Redirect> to the owner all the same.
// A call a survivor claimed meanwhile is redirected to that survivor.
//
// Not done: a node that is alive but whose heartbeats stall for a lease
// (its storage actor is that slow) has its calls claimed while it runs them;
// each call is still finalized once (the finalizer's `once`), but the
// survivor's hold may finalize it server_lost while its first node carries on.
//
// The code: actors/call_takeover.cpp; the storage side: storage/store_nodes.cpp.
