// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm, Assertions} from "./utils/Vm.sol";
import {AgentCaller} from "../../contracts/AgentCaller.sol";
import {AgentHandler} from "../../contracts/AgentHandler.sol";
import {AgentTask} from "../../contracts/interfaces/AgentTask.sol";
import {IAgentVerifier} from "../../contracts/interfaces/IAgentVerifier.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {ConfigurableVerifier} from "../../contracts/mocks/ConfigurableVerifier.sol";

/// @notice The invariant fuzzer's only target: dispatches tasks of three workflows (sync with a gate and a
/// pipeline, async with an early final stage, mixed with a chained stage) and drives them with steps, proves, clock
/// moves and expiry, and `stepAndProve` (appending or replacing), mostly plausible so that tasks get deep. It
/// records, from the outside, every accepted action that the rules forbid, every status change that is not
/// Active -> {Halted, Finalized, Expired}, and every change to a proven stage's record.
contract StagingActor is Assertions {
    /// @notice Actions pick among the latest {WINDOW} tasks; a new one is dispatched only when one of them closed.
    uint256 internal constant WINDOW = 3;
    bytes32 internal constant PIPELINE = keccak256("ipfs://bafy-sanitise-v1");

    struct Workflow {
        bytes32 hash;
        uint8 n;
        uint8 minFinal;
        bool[] sync;
        bool[] chained;
        bool piped;
    }

    AgentCaller public immutable caller;
    AgentHandler public immutable handler;
    ConfigurableVerifier public immutable verifier;
    address public immutable agent;

    Workflow[] internal _workflows;
    bytes32[] public tasks;
    mapping(bytes32 taskId => uint256) public workflowOf;
    mapping(bytes32 taskId => bytes32) public attestedOf;
    /// @dev The inputs and outputs of the steps the handler accepted (it keeps only their digests).
    mapping(bytes32 taskId => mapping(uint256 stage => bytes32)) internal inOf;
    mapping(bytes32 taskId => mapping(uint256 stage => bytes32)) internal outOf;

    // ghosts
    mapping(bytes32 taskId => IAgentExecHandler.TaskStatus) public lastStatus;
    mapping(bytes32 taskId => uint8) public steppedAtClose;
    uint256 public stepsAfterClose;
    uint256 public stepsPastUnprovenSync;
    uint256 public badTransitions;
    uint256 public replacedProven;
    uint256 public provenRecordsChanged;
    mapping(bytes32 taskId => mapping(uint256 stage => bytes32)) internal _provenDigest;
    uint256 public acceptedSteps;
    uint256 public acceptedProves;
    /// @notice Tasks that left Active, by the status they reached.
    uint256[5] public closed;
    uint256 internal _nonce;

    constructor(address agent_) {
        caller = new AgentCaller();
        handler = new AgentHandler(address(caller), address(this));
        verifier = new ConfigurableVerifier(IAgentVerifier.Verdict.Approved);
        agent = agent_;
        //                 sync    gating  chained
        _add(_stages3(true, true, true, true, false, false), 2, true); // all sync, gate at 0, pipeline
        bool[4] memory async4;
        _add(_stagesN(async4, [false, false, false, false], [false, false, true, false]), 2, false);
        _add(_stagesN([true, false, true, false], [true, false, false, false], [false, true, true, false]), 1, false);
    }

    // ---------------------------------------------------------------- setup helpers

    function _stage(bool sync, bool gating, bool chained) internal view returns (IWorkflowPolicyRegistry.StagePolicy memory) {
        return IWorkflowPolicyRegistry.StagePolicy({
            resolution: sync ? IWorkflowPolicyRegistry.Resolution.Sync : IWorkflowPolicyRegistry.Resolution.Async,
            gating: gating,
            input: chained ? IWorkflowPolicyRegistry.InputSource.PreviousOutput : IWorkflowPolicyRegistry.InputSource.AttestedTaskInput,
            verifier: address(verifier),
            verifierGasLimit: 50_000
        });
    }

    function _stages3(bool s0, bool g0, bool s1, bool s2, bool c1, bool c2)
        internal
        view
        returns (IWorkflowPolicyRegistry.StagePolicy[] memory s)
    {
        s = new IWorkflowPolicyRegistry.StagePolicy[](3);
        s[0] = _stage(s0, g0, false);
        s[1] = _stage(s1, false, c1);
        s[2] = _stage(s2, false, c2);
    }

    function _stagesN(bool[4] memory sync, bool[4] memory gating, bool[4] memory chained)
        internal
        view
        returns (IWorkflowPolicyRegistry.StagePolicy[] memory s)
    {
        s = new IWorkflowPolicyRegistry.StagePolicy[](4);
        for (uint256 i; i < 4; ++i) {
            s[i] = _stage(sync[i], gating[i], chained[i]);
        }
    }

    function _add(IWorkflowPolicyRegistry.StagePolicy[] memory s, uint8 minFinal, bool piped) internal {
        address[] memory agents = new address[](1);
        agents[0] = agent;
        bytes32 h = keccak256(abi.encode("invariant workflow", _workflows.length));
        handler.registerWorkflow(
            h,
            IWorkflowPolicyRegistry.WorkflowPolicy({
                stages: s,
                minFinalStage: minFinal,
                pipelineHash: piped ? PIPELINE : bytes32(0),
                agentAuth: IWorkflowPolicyRegistry.AgentAuth.Allowlist,
                agentRegistry: address(0),
                agents: agents,
                requesters: new address[](0)
            })
        );
        Workflow storage w = _workflows.push();
        w.hash = h;
        w.n = uint8(s.length);
        w.minFinal = minFinal;
        w.piped = piped;
        for (uint256 i; i < s.length; ++i) {
            w.sync.push(s[i].resolution == IWorkflowPolicyRegistry.Resolution.Sync);
            w.chained.push(s[i].input == IWorkflowPolicyRegistry.InputSource.PreviousOutput);
        }
    }

    // ---------------------------------------------------------------- views for the invariants

    function taskCount() external view returns (uint256) {
        return tasks.length;
    }

    function isSyncStage(bytes32 t, uint256 stage) external view returns (bool) {
        return _workflows[workflowOf[t]].sync[stage];
    }

    // ---------------------------------------------------------------- actions (the fuzzer's targets)

    function dispatch(uint256 seed) external {
        if (_liveInWindow() >= WINDOW - 1) return; // enough work in hand: keep the fuzzer's calls on live tasks
        seed = _mix(seed);
        Workflow storage w = _workflows[seed % _workflows.length];
        bytes32 input = keccak256(abi.encode("input", seed));
        AgentTask memory task = AgentTask({
            taskId: bytes32(tasks.length + 1),
            agentWorkflowHash: w.hash,
            agentWorkflow: "",
            handler: address(handler),
            deadline: block.timestamp + 300 + (seed >> 8) % 1500
        });
        bytes32 t = caller.callAgent(task, input, "");
        tasks.push(t);
        workflowOf[t] = seed % _workflows.length;
        attestedOf[t] = w.piped ? keccak256(abi.encode(input, PIPELINE)) : input;
        _observe();
    }

    function step(uint256 taskSeed, uint256 seed) external {
        if (tasks.length == 0) return;
        seed = _mix(seed);
        bytes32 t = _pick(taskSeed);
        IAgentExecHandler.TaskView memory pre = handler.taskOf(t);
        uint8 stage = seed % 8 == 7 ? uint8((seed >> 8) % (_workflows[workflowOf[t]].n + 1)) : pre.steppedStages;
        (bytes32 input, bytes32 out, bool isFinal, bytes memory data) = _plausibleStep(t, stage, seed, pre.steppedStages);
        vm.prank(agent);
        try handler.onAgentStep(t, input, out, "", 1, agent, stage, isFinal, data) {
            acceptedSteps += 1;
            _afterStep(t, pre, stage, input, out, false);
        } catch {}
        _observe();
    }

    /// @notice `stepAndProve`: appends the next stage, or replaces an earlier (unproven) one.
    function stepAndProve(uint256 taskSeed, uint256 seed) external {
        if (tasks.length == 0) return;
        seed = _mix(seed);
        bytes32 t = _pick(taskSeed);
        IAgentExecHandler.TaskView memory pre = handler.taskOf(t);
        uint8 stage = seed % 2 == 0 || pre.steppedStages == 0
            ? pre.steppedStages
            : uint8((seed >> 8) % pre.steppedStages);
        (bytes32 input, bytes32 out, bool isFinal, bytes memory data) = _plausibleStep(t, stage, seed, pre.steppedStages);
        uint8 verdict = _verdict(seed);
        IAgentExecHandler.AgentStep memory st = IAgentExecHandler.AgentStep({
            taskId: t,
            inputHash: input,
            outputHash: out,
            output: "",
            agentId: 1,
            agent: agent,
            stage: stage,
            isFinal: isFinal,
            data: data
        });
        vm.prank(agent);
        try handler.stepAndProve(st, abi.encodePacked(verdict)) {
            acceptedSteps += 1;
            acceptedProves += 1;
            _afterStep(t, pre, stage, input, out, true);
        } catch {}
        _observe();
    }

    function prove(uint256 taskSeed, uint256 seed) external {
        if (tasks.length == 0) return;
        seed = _mix(seed);
        bytes32 t = _pick(taskSeed);
        IAgentExecHandler.TaskView memory pre = handler.taskOf(t);
        uint8 stage;
        uint256 c = seed % 8;
        if (c == 0 || pre.steppedStages == 0) {
            stage = uint8((seed >> 8) % (pre.steppedStages + 1)); // any stage, even one not stepped
        } else if (c <= 2) {
            stage = pre.steppedStages - 1; // the latest step: the final prove, possibly too early
        } else {
            while (stage + 1 < pre.steppedStages && (pre.provenStages >> stage) & 1 == 1) ++stage;
        }
        try handler.onAgentProve(t, inOf[t][stage], outOf[t][stage], abi.encodePacked(agent, _verdict(seed)), address(verifier), stage) {
            acceptedProves += 1;
        } catch {}
        _observe();
    }

    function warp(uint256 dt) external {
        dt = _mix(dt);
        vm.warp(block.timestamp + (dt % 8 == 0 ? 300 + (dt >> 8) % 900 : 1 + (dt >> 8) % 20)); // now and then a big jump
        _observe();
    }

    function expire(uint256 taskSeed) external {
        if (tasks.length == 0) return;
        try handler.expireTask(_pick(taskSeed)) {} catch {}
        _observe();
    }

    function _pick(uint256 taskSeed) internal view returns (bytes32) {
        uint256 n = tasks.length < WINDOW ? tasks.length : WINDOW;
        return tasks[tasks.length - 1 - taskSeed % n];
    }

    function _liveInWindow() internal view returns (uint256 live) {
        uint256 n = tasks.length < WINDOW ? tasks.length : WINDOW;
        for (uint256 i; i < n; ++i) {
            IAgentExecHandler.TaskView memory v = handler.taskOf(tasks[tasks.length - 1 - i]);
            if (v.status == IAgentExecHandler.TaskStatus.Active && !v.pastDeadline) ++live;
        }
    }

    /// @dev The fuzzer favours edge values (0, max, values seen in storage); hashing them with a call counter
    /// spreads every decision evenly while the fuzzer still chooses and shrinks the sequence of actions.
    function _mix(uint256 x) internal returns (uint256) {
        return uint256(keccak256(abi.encode(x, ++_nonce)));
    }

    // ---------------------------------------------------------------- ghosts

    /// @dev A step of `stage` with the right input and witness (from the actor's own record of recorded steps), a
    /// fresh output and the final flag the policy expects (flipped now and then).
    function _plausibleStep(bytes32 t, uint8 stage, uint256 seed, uint8 stepped)
        internal
        view
        returns (bytes32 input, bytes32 out, bool isFinal, bytes memory data)
    {
        Workflow storage w = _workflows[workflowOf[t]];
        isFinal = stage + 1 == w.n || (stage >= w.minFinal && (seed >> 16) % 3 == 0);
        if ((seed >> 24) % 16 == 15) isFinal = !isFinal;
        out = keccak256(abi.encode("out", seed));
        bool chained = stage != 0 && stage < w.n && w.chained[stage];
        input = chained ? outOf[t][stage - 1] : attestedOf[t];
        if (stage == 0 && stepped == 0) data = "";
        else data = abi.encodePacked(chained ? inOf[t][stage - 1] : outOf[t][0], agent);
    }

    function _verdict(uint256 seed) internal pure returns (uint8) {
        uint256 v = (seed >> 40) % 20;
        return v < 15 ? 1 : v < 17 ? 0 : 2; // Approved 75%, Invalid 10%, Denied 15%
    }

    /// @dev Ghost checks of an accepted step against the state before it, then the actor's record of it.
    function _afterStep(
        bytes32 t,
        IAgentExecHandler.TaskView memory pre,
        uint8 stage,
        bytes32 input,
        bytes32 out,
        bool replacing
    ) internal {
        Workflow storage w = _workflows[workflowOf[t]];
        bool wasClosed = pre.status != IAgentExecHandler.TaskStatus.Active || pre.pastDeadline
            || (pre.finalStepped && !(replacing && stage < pre.steppedStages));
        if (wasClosed) stepsAfterClose += 1;
        if (stage > 0 && w.sync[stage - 1] && (pre.provenStages >> (stage - 1)) & 1 == 0) {
            stepsPastUnprovenSync += 1;
        }
        if (stage < pre.steppedStages && (pre.provenStages >> stage) != 0) replacedProven += 1;
        inOf[t][stage] = input;
        outOf[t][stage] = out;
    }

    /// @dev Status transitions seen from outside: None -> Active at dispatch, then only Active -> a terminal status,
    /// which never changes again; a task's stepped count is frozen from the moment it leaves Active.
    function _observe() internal {
        for (uint256 i; i < tasks.length; ++i) {
            bytes32 t = tasks[i];
            IAgentExecHandler.TaskView memory v = handler.taskOf(t);
            IAgentExecHandler.TaskStatus prev = lastStatus[t];
            if (prev == IAgentExecHandler.TaskStatus.None) {
                if (v.status != IAgentExecHandler.TaskStatus.Active) badTransitions += 1;
            } else if (prev != IAgentExecHandler.TaskStatus.Active) {
                if (v.status != prev) badTransitions += 1;
                if (v.steppedStages != steppedAtClose[t]) stepsAfterClose += 1;
            } else if (v.status != IAgentExecHandler.TaskStatus.Active) {
                steppedAtClose[t] = v.steppedStages;
                closed[uint256(v.status)] += 1;
            }
            lastStatus[t] = v.status;
            // a proven stage's record never changes
            for (uint8 s; s < v.steppedStages; ++s) {
                if ((v.provenStages >> s) & 1 == 0) continue;
                bytes32 d = handler.stepDigest(t, s);
                bytes32 seen = _provenDigest[t][s];
                if (seen == bytes32(0)) _provenDigest[t][s] = d;
                else if (seen != d) provenRecordsChanged += 1;
            }
        }
    }
}

/// @notice Invariants of the staging rules over arbitrary interleavings driven by {StagingActor}.
contract StagingInvariantsTest is Assertions {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    StagingActor internal actor;

    function setUp() public {
        vm.warp(1_750_000_000);
        actor = new StagingActor(vm.addr(0xA6E27));
        actor.dispatch(0);
        actor.dispatch(1);
        actor.dispatch(2);
    }

    function targetContracts() public view returns (address[] memory a) {
        a = new address[](1);
        a[0] = address(actor);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory s) {
        bytes4[] memory sel = new bytes4[](6);
        sel[0] = StagingActor.dispatch.selector;
        sel[1] = StagingActor.step.selector;
        sel[2] = StagingActor.prove.selector;
        sel[3] = StagingActor.stepAndProve.selector;
        sel[4] = StagingActor.warp.selector;
        sel[5] = StagingActor.expire.selector;
        s = new FuzzSelector[](1);
        s[0] = FuzzSelector({addr: address(actor), selectors: sel});
    }

    function _view(uint256 i) internal view returns (bytes32 t, IAgentExecHandler.TaskView memory v) {
        t = actor.tasks(i);
        v = actor.handler().taskOf(t);
    }

    function invariant_finalisedTaskHasEveryStageProven() public view {
        for (uint256 i; i < actor.taskCount(); ++i) {
            (, IAgentExecHandler.TaskView memory v) = _view(i);
            if (v.status != IAgentExecHandler.TaskStatus.Finalized) continue;
            assertTrue(v.finalStepped, "finalised without a final step");
            assertEq(v.provenStages, (uint256(1) << v.steppedStages) - 1, "finalised with an unproven stage");
        }
    }

    function invariant_noStepAfterHaltExpiryOrFinalisation() public view {
        assertEq(actor.stepsAfterClose(), 0, "a step was accepted on a closed task");
    }

    function invariant_syncStageNeverSteppedPastWhileUnproven() public view {
        assertEq(actor.stepsPastUnprovenSync(), 0, "a step followed an unproven sync stage");
        for (uint256 i; i < actor.taskCount(); ++i) {
            (bytes32 t, IAgentExecHandler.TaskView memory v) = _view(i);
            for (uint256 s; s + 1 < v.steppedStages; ++s) {
                if (actor.isSyncStage(t, s)) assertTrue((v.provenStages >> s) & 1 == 1, "sync stage passed unproven");
            }
        }
    }

    function invariant_provenStagesWereStepped() public view {
        for (uint256 i; i < actor.taskCount(); ++i) {
            (, IAgentExecHandler.TaskView memory v) = _view(i);
            uint256 stepped = (uint256(1) << v.steppedStages) - 1;
            assertEq(uint256(v.provenStages) & ~stepped, 0, "proven bit outside the stepped stages");
        }
    }

    function invariant_provenStepsAreNeverReplaced() public view {
        assertEq(actor.replacedProven(), 0, "a step was replaced at or before a proven stage");
        assertEq(actor.provenRecordsChanged(), 0, "a proven stage's record changed");
    }

    function invariant_statusOnlyLeavesActive() public view {
        assertEq(actor.badTransitions(), 0, "status changed other than Active -> terminal");
    }

    /// @dev The actor is not vacuous: 400 actions drawn like the fuzzer's (uniform over the six actions, arbitrary
    /// arguments) close tasks in every terminal state and get steps and proves accepted.
    function test_actor_reachesEveryTerminalState() public {
        for (uint256 i; i < 400; ++i) {
            uint256 r = uint256(keccak256(abi.encode("script", i)));
            uint256 a = r % 6;
            if (a == 0) actor.dispatch(r >> 8);
            else if (a == 1) actor.step(r >> 8, r >> 16);
            else if (a == 2) actor.prove(r >> 8, r >> 16);
            else if (a == 3) actor.stepAndProve(r >> 8, r >> 16);
            else if (a == 4) actor.warp(r >> 8);
            else actor.expire(r >> 8);
        }
        assertGe(actor.closed(uint256(IAgentExecHandler.TaskStatus.Finalized)), 1, "a task finalised");
        assertGe(actor.closed(uint256(IAgentExecHandler.TaskStatus.Halted)), 1, "a task halted");
        assertGe(actor.closed(uint256(IAgentExecHandler.TaskStatus.Expired)), 1, "a task expired");
        // measured: 4 finalised, 2 halted, 4 expired; 37 steps and 32 proves accepted
        assertGe(actor.acceptedSteps(), 20, "steps accepted");
        assertGe(actor.acceptedProves(), 15, "proves accepted");
        assertEq(actor.stepsAfterClose() + actor.stepsPastUnprovenSync() + actor.badTransitions(), 0, "no violation");
        assertEq(actor.replacedProven() + actor.provenRecordsChanged(), 0, "no proven step replaced");
    }
}
