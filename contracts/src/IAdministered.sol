// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title The consortium admin's role, handed over in two steps (both contracts have it).
interface IAdministered {
    error NotAdmin(address caller);
    error NotPendingAdmin(address caller);

    event AdminTransferProposed(address indexed admin, address indexed pendingAdmin);
    event AdminTransferred(address indexed previousAdmin, address indexed newAdmin);

    function admin() external view returns (address);
    /// The account `transferAdmin` proposed, until it accepts (address(0): none).
    function pendingAdmin() external view returns (address);
    /// Step one of two: the admin proposes `newAdmin` (address(0) or another account cancels a
    /// proposal). The admin keeps every power until `newAdmin` calls `acceptAdmin`.
    function transferAdmin(address newAdmin) external;
    /// Step two: the proposed account takes the admin role (`NotPendingAdmin` for any other).
    function acceptAdmin() external;
}
