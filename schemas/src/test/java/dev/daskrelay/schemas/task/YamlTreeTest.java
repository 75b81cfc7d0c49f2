package dev.daskrelay.schemas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.config.PlatformConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * YAML as YAML says: anchors, aliases and merge keys resolve to the values they stand for (never to the anchor's
 * name), with the expansion bounded; tags are honoured or refused once, at their path.
 */
class YamlTreeTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T22:00:00Z"), ZoneOffset.UTC);
    static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode tree(String yaml) {
        YamlTree.Result r = YamlTree.read(yaml);
        assertEquals(List.of(), r.problems(), yaml);
        return r.root();
    }

    private static List<String> problems(String yaml) {
        return YamlTree.read(yaml).problems().stream().map(Problem::toString).toList();
    }

    @Test
    void aliasedScalarsEnvValuesArgsAndMappingsResolveToTheAnchoredValues() {
        TaskCommand c = TaskFile.load("""
                execution: {project: p, domain: d, name: n, nodeId: n0}
                image: &img ghcr.io/example/dask-app:1.4
                env: {A: &v hello, B: *v}
                args: [&first one, *first]
                resources: &res
                  requests: {cpu: "1", memory: 1Gi}
                dask:
                  scheduler: {image: *img, resources: *res}
                  workers:
                    numberOfWorkers: 2
                    image: *img
                    resources: *res
                """, PlatformConfig.defaults(), CLOCK);
        LaunchDaskJob l = (LaunchDaskJob) c.getPayload();
        assertEquals("ghcr.io/example/dask-app:1.4", l.getDask().getWorkers().getImage());
        assertEquals("ghcr.io/example/dask-app:1.4", l.getDask().getScheduler().getImage());
        assertEquals(List.of(new EnvVar("A", "hello"), new EnvVar("B", "hello")), l.getEnv());
        assertEquals(List.of("one", "one"), l.getArgs());
        assertEquals("1Gi", l.getDask().getWorkers().getResources().getRequests().getMemory());
        assertEquals(l.getResources(), l.getDask().getScheduler().getResources());
    }

    @Test
    void aliasedSequencesAndAnchorsInsideCollectionsResolve() {
        JsonNode t = tree("""
                base: &args [python, -m, app]
                again: *args
                nested: {inner: &in {x: 1}}
                copy: *in
                """);
        assertEquals(t.get("base"), t.get("again"));
        assertEquals(JSON.createObjectNode().put("x", 1), t.get("copy"));
    }

    @Test
    void mergeKeysAddEntriesTheMappingDoesNotHaveEarlierMergesWinAndOrderFollowsTheMergeKey() throws Exception {
        JsonNode t = tree("""
                defaults: &defaults {cpu: "1", memory: 1Gi}
                big: &big {memory: 8Gi, gpu: "1"}
                one:
                  <<: *defaults
                  memory: 2Gi
                two:
                  <<: [*big, *defaults]
                three:
                  name: first
                  <<: {name: ignored, extra: kept}
                """);
        assertEquals(JSON.readTree("{\"cpu\":\"1\",\"memory\":\"2Gi\"}"), t.get("one"));
        assertEquals(List.of("cpu", "memory"), fieldNames(t.get("one")));
        assertEquals(JSON.readTree("{\"memory\":\"8Gi\",\"gpu\":\"1\",\"cpu\":\"1\"}"), t.get("two"));
        assertEquals(JSON.readTree("{\"name\":\"first\",\"extra\":\"kept\"}"), t.get("three"));
    }

    @Test
    void aMergeKeyInATaskFileFillsResources() {
        TaskCommand c = TaskFile.load("""
                execution: {project: p, domain: d, name: n, nodeId: n0}
                image: img:1
                resources: &r {requests: {cpu: 500m}, limits: {cpu: "1"}}
                dask:
                  workers:
                    numberOfWorkers: 1
                    resources:
                      <<: *r
                      limits: {cpu: "2"}
                """, PlatformConfig.defaults(), CLOCK);
        LaunchDaskJob l = (LaunchDaskJob) c.getPayload();
        assertEquals("500m", l.getDask().getWorkers().getResources().getRequests().getCpu());
        assertEquals("2", l.getDask().getWorkers().getResources().getLimits().getCpu());
    }

    @Test
    void aQuotedMergeKeyIsAnOrdinaryKey() {
        assertEquals("x", tree("m: {\"<<\": x}").get("m").get("<<").asText());
    }

    @Test
    void aMergeKeyNeedsMappings() {
        assertEquals(List.of("m[\"<<\"]: a merge key takes a mapping or a list of mappings (was a single value)"),
                problems("m: {<<: text}"));
    }

    @Test
    void anAliasBombIsRefusedWithABoundedExpansion() {
        StringBuilder bomb = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            bomb.append("]\n");
        }
        YamlTree.Result r = YamlTree.read(bomb.toString());
        assertNull(r.root());
        assertEquals(List.of("(file): aliases expand to more than 100000 values (refused, as an alias bomb would)"),
                r.problems().stream().map(Problem::toString).toList());
    }

    @Test
    void aliasesOfLongTextAreBoundedByCharactersToo() {
        String big = "x".repeat(600_000);
        YamlTree.Result r = YamlTree.read("a: &a " + big + "\nb: [*a, *a, *a, *a, *a, *a, *a, *a]\n");
        assertNull(r.root());
        assertTrue(r.problems().get(0).message().startsWith("aliases expand to more than"), r.problems().toString());
    }

    @Test
    void recursiveAndUndefinedAliasesAreRefused() {
        assertEquals(List.of("(file): not valid YAML at line 1, column 8: alias *a is inside the node it refers to "
                + "(a recursive structure)"), problems("a: &a [*a]"));
        assertEquals(List.of("(file): not valid YAML at line 1, column 4: alias *nope refers to no anchor defined "
                + "before it"), problems("a: *nope"));
    }

    @Test
    void plainScalarsResolveByTheCoreSchemaKeepingOtherSpellingsAsWritten() {
        JsonNode t = tree("""
                n1: ~
                n2: null
                n3:
                b1: true
                b2: false
                b3: True
                i1: 12
                i2: -3
                i3: 007
                i4: 0x10
                f1: 1.50
                q1: "12"
                q2: 'true'
                """);
        assertTrue(t.get("n1").isNull() && t.get("n2").isNull() && t.get("n3").isNull());
        assertTrue(t.get("b1").booleanValue() && t.get("b2").isBoolean() && !t.get("b2").booleanValue());
        assertEquals("True", t.get("b3").textValue());
        assertEquals(12, t.get("i1").intValue());
        assertEquals(-3, t.get("i2").intValue());
        assertEquals("007", t.get("i3").textValue());
        assertEquals("0x10", t.get("i4").textValue());
        assertEquals("1.50", t.get("f1").textValue());
        assertEquals("12", t.get("q1").textValue());
        assertEquals("true", t.get("q2").textValue());
    }

    @Test
    void coreTagsAreHonouredAndOthersReportedOnceAtTheirPath() {
        JsonNode t = tree("a: !!str 5\nb: !!int 0x10\nc: !!bool True\nd: !!null ~\ne: ! 5\nf: !!map {x: 1}\n");
        assertEquals("5", t.get("a").textValue());
        assertEquals(16, t.get("b").intValue());
        assertTrue(t.get("c").booleanValue());
        assertTrue(t.get("d").isNull());
        assertEquals("5", t.get("e").textValue());
        assertEquals(1, t.get("f").get("x").intValue());

        assertEquals(List.of("image: YAML tag !custom is not supported (task files use plain YAML values) (was \"x:1\")",
                "n: not a valid !!int value (was \"abc\")",
                "args: YAML tag !!set is not supported on a mapping (task files use plain YAML values)"),
                problems("image: !custom x:1\nn: !!int abc\nargs: !!set {a: null}\n"));
        // one problem for an anchored tagged value however often it is used
        assertEquals(1, problems("a: &x !custom v\nb: *x\nc: *x\n").size());
    }

    @Test
    void aTaggedValueIsOneProblemNotACascadeOfRequired() {
        TaskFile.Checked c = TaskFile.check("t.yaml", """
                execution: {project: p, domain: d, name: n, nodeId: !custom n0}
                image: !!int ghcr
                dask: {workers: {numberOfWorkers: !!str 2}}
                """, PlatformConfig.defaults(), CLOCK);
        assertEquals(List.of(
                "t.yaml: execution.nodeId: YAML tag !custom is not supported (task files use plain YAML values) (was \"n0\")",
                "t.yaml: image: not a valid !!int value (was \"ghcr\")"), c.lines());
    }

    @Test
    void duplicateKeysNameBothLines() {
        assertEquals(List.of("image: given twice (at line 1 and line 3)"), problems("image: a\nx: 1\nimage: b\n"));
    }

    @Test
    void deepNestingIsOneClearProblem() {
        String deep = "a: " + "[".repeat(100) + "]".repeat(100);
        assertEquals(List.of("(file): nested more than 64 levels deep (at line 1, column 67)"), problems(deep));
        YamlTree.Result json = YamlTree.read("{}");
        assertTrue(json.problems().isEmpty());
        assertEquals(List.of(new Problem(Problem.DOCUMENT, "nested more than 64 levels deep")),
                TaskFile.parse("{\"a\": " + "[".repeat(100) + "]".repeat(100) + "}", CLOCK).problems());
    }

    @Test
    void syntaxErrorsNameLineAndColumnWithoutParserInternals() {
        assertEquals(List.of("(file): not valid YAML at line 2, column 6: while parsing a flow mapping; expected ',' "
                + "or '}', but got :"), problems("execution: {project: p, domain: d\nimage: [unclosed\n"));
    }

    @Test
    void emptyAndMultiDocumentStreams() {
        YamlTree.Result empty = YamlTree.read("# only a comment\n");
        assertNull(empty.root());
        assertTrue(empty.problems().isEmpty());
        assertEquals(List.of("(file): must hold one task, found more than one document"), problems("a: 1\n---\nb: 2\n"));
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
