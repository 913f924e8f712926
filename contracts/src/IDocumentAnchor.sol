// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAdministered} from "./IAdministered.sol";

/// @title Anchors Merkle roots of customs documents; proofs are checked against anchored roots.
/// Leaf = keccak256(abi.encode(bytes32 sha256(document))); inner node = keccak256 of the two
/// children sorted ascending (OpenZeppelin MerkleProof convention).
interface IDocumentAnchor is IAdministered {
    error NotWriter(address caller);
    error ZeroRoot();
    error EmptyBatch();
    error AlreadyAnchored(bytes32 root);
    error AlreadyRevoked(bytes32 root, bytes32 leaf);
    error NotAnchored(bytes32 root);
    error NotInRoot(bytes32 root, bytes32 leaf);
    error NotRootWriter(address caller, bytes32 root);
    error ZeroAddress();

    event WriterAuthorised(address indexed writer, address indexed by);
    event WriterDeauthorised(address indexed writer, address indexed by);
    event RootAnchored(
        bytes32 indexed root, bytes32 indexed batchId, uint32 leafCount, address indexed writer, uint64 timestamp
    );
    event LeafRevoked(bytes32 indexed leaf, bytes32 indexed root, address indexed by, string reason);

    function version() external pure returns (string memory);
    function isWriter(address account) external view returns (bool);
    function authorise(address writer) external;
    function deauthorise(address writer) external;

    function anchor(bytes32 root, uint32 leafCount, bytes32 batchId) external;
    function rootTimestamp(bytes32 root) external view returns (uint64);
    function rootWriter(bytes32 root) external view returns (address);
    /// True when `proof` links `leaf` to `root` and `root` has been anchored.
    function verifyLeaf(bytes32 root, bytes32[] calldata proof, bytes32 leaf) external view returns (bool);
    /// Revokes `leaf` as attested by `root`. Only the writer that anchored `root` (while it is
    /// still a writer) or the admin may, and only for a leaf `proof` links to the anchored root.
    /// Sets `revokedIn(root, leaf)`, `revokedBy(rootWriter(root), leaf)` and, by the admin only,
    /// `revoked(leaf)`.
    function revoke(bytes32 root, bytes32[] calldata proof, bytes32 leaf, string calldata reason) external;
    /// True when `leaf` was revoked under `root` by that root's writer or the admin: the check
    /// for a document verified against `root` (check `rootWriter(root)` is who you expect).
    function revokedIn(bytes32 root, bytes32 leaf) external view returns (bool);
    /// True when `leaf` was revoked under some root that `writer` anchored (by `writer` or the
    /// admin): whether `writer` withdrew its attestation of the leaf, under whichever root. No
    /// other writer can set it (`writer` is the one `rootWriter(root)` names).
    function revokedBy(address writer, bytes32 leaf) external view returns (bool);
    /// True when the consortium admin revoked `leaf` (under any root): the consortium's word on
    /// the leaf, which no writer can set. A writer's revocation of its own attestation shows in
    /// `revokedIn` and `revokedBy` only. (Before 3.0.0 this was true once the leaf was revoked
    /// under any root, by anyone: any writer could make it true for another's leaf.)
    function revoked(bytes32 leaf) external view returns (bool);
}
