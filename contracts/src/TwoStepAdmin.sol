// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAdministered} from "./IAdministered.sol";

/// @notice The admin role of `IAdministered`: the deployer first; handed over in two steps, so
/// that a mistyped address cannot take the contract out of everyone's hands.
abstract contract TwoStepAdmin is IAdministered {
    address public admin;
    address public pendingAdmin;

    constructor() {
        admin = msg.sender;
        emit AdminTransferred(address(0), msg.sender);
    }

    modifier onlyAdmin() {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        _;
    }

    function transferAdmin(address newAdmin) external onlyAdmin {
        pendingAdmin = newAdmin;
        emit AdminTransferProposed(msg.sender, newAdmin);
    }

    function acceptAdmin() external {
        // msg.sender is never address(0), so neither is the admin this makes
        if (msg.sender != pendingAdmin) revert NotPendingAdmin(msg.sender);
        emit AdminTransferred(admin, msg.sender);
        admin = msg.sender;
        pendingAdmin = address(0);
    }
}
