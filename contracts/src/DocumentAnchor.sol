// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IDocumentAnchor} from "./IDocumentAnchor.sol";
import {TwoStepAdmin} from "./TwoStepAdmin.sol";

/// @notice Stores only what a view must answer (root -> timestamp and writer, revoked leaves);
/// everything else is in events. Writers are node accounts authorised by the consortium admin.
/// A root's leaves can be revoked only by the writer that anchored the root, or by the admin.
/// Every view of a revocation is keyed by someone who may make it (the root, the root's writer,
/// the admin): any writer can anchor a root of its own over any leaf, and revoking it there
/// must not change what is reported about another writer's attestation of that leaf.
contract DocumentAnchor is IDocumentAnchor, TwoStepAdmin {
    mapping(address => bool) public isWriter;

    struct RootInfo {
        uint64 timestamp;
        address writer;
    }

    mapping(bytes32 => RootInfo) private _roots;
    mapping(bytes32 => bool) public revoked; // leaf => revoked by the admin (under any root)
    mapping(bytes32 => mapping(bytes32 => bool)) public revokedIn; // root => leaf => revoked
    mapping(address => mapping(bytes32 => bool)) public revokedBy; // root's writer => leaf => revoked

    constructor() {
        isWriter[msg.sender] = true;
        emit WriterAuthorised(msg.sender, msg.sender);
    }

    modifier onlyWriter() {
        if (!isWriter[msg.sender]) revert NotWriter(msg.sender);
        _;
    }

    function version() external pure returns (string memory) {
        return "3.0.0";
    }

    function authorise(address writer) external onlyAdmin {
        if (writer == address(0)) revert ZeroAddress();
        isWriter[writer] = true;
        emit WriterAuthorised(writer, msg.sender);
    }

    function deauthorise(address writer) external onlyAdmin {
        isWriter[writer] = false;
        emit WriterDeauthorised(writer, msg.sender);
    }

    function anchor(bytes32 root, uint32 leafCount, bytes32 batchId) external onlyWriter {
        if (root == bytes32(0)) revert ZeroRoot();
        if (leafCount == 0) revert EmptyBatch();
        if (_roots[root].timestamp != 0) revert AlreadyAnchored(root);
        uint64 ts = uint64(block.timestamp);
        _roots[root] = RootInfo(ts, msg.sender);
        emit RootAnchored(root, batchId, leafCount, msg.sender, ts);
    }

    function rootTimestamp(bytes32 root) external view returns (uint64) {
        return _roots[root].timestamp;
    }

    function rootWriter(bytes32 root) external view returns (address) {
        return _roots[root].writer;
    }

    function verifyLeaf(bytes32 root, bytes32[] calldata proof, bytes32 leaf) external view returns (bool) {
        if (_roots[root].timestamp == 0) return false;
        return _processProof(proof, leaf) == root;
    }

    function revoke(bytes32 root, bytes32[] calldata proof, bytes32 leaf, string calldata reason) external {
        bool byAdmin = msg.sender == admin;
        if (!byAdmin && !isWriter[msg.sender]) revert NotWriter(msg.sender);
        RootInfo storage info = _roots[root];
        if (info.timestamp == 0) revert NotAnchored(root);
        if (!byAdmin && msg.sender != info.writer) revert NotRootWriter(msg.sender, root);
        if (_processProof(proof, leaf) != root) revert NotInRoot(root, leaf);
        if (revokedIn[root][leaf]) revert AlreadyRevoked(root, leaf);
        revokedIn[root][leaf] = true;
        revokedBy[info.writer][leaf] = true;
        if (byAdmin) revoked[leaf] = true;
        emit LeafRevoked(leaf, root, msg.sender, reason);
    }

    function _processProof(bytes32[] calldata proof, bytes32 leaf) private pure returns (bytes32 computed) {
        computed = leaf;
        for (uint256 i = 0; i < proof.length; i++) {
            computed = _hashPair(computed, proof[i]);
        }
    }

    function _hashPair(bytes32 a, bytes32 b) private pure returns (bytes32 value) {
        (bytes32 lo, bytes32 hi) = a < b ? (a, b) : (b, a);
        assembly ("memory-safe") {
            mstore(0x00, lo)
            mstore(0x20, hi)
            value := keccak256(0x00, 0x40)
        }
    }
}
